package dev.tessera;

import static dev.tessera.Checks.assertExact;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Tensor creation and properties: {@code of}, {@code scalar}, {@code ofInts}, {@code zeros},
 * {@code ones}, {@code full}, {@code arange}, {@code eye}, seeded {@code rand}/{@code randn},
 * {@code zerosLike}/{@code onesLike}, {@code to(DType)}, shape/dim/size/numel/dtype/device,
 * {@code item}, {@code get}, and that {@code of} copies its input array.
 */
class CreationTest {

    @Test
    void ofKeepsValuesAndShape() {
        float[] data = {1, 2, 3, 4, 5, 6};
        Tensor t = Tensor.of(data, 2, 3);
        assertExact(data, new int[] {2, 3}, t);
        assertEquals(2, t.dim());
        assertEquals(2, t.size(0));
        assertEquals(3, t.size(1));
        assertEquals(3, t.size(-1));
        assertEquals(6L, t.numel());
        assertEquals(DType.FLOAT32, t.dtype());
        assertEquals(TestDevice.get(), t.device(), "factories without a device use the default device");
        assertTrue(t.isContiguous());
        assertEquals(6f, t.get(1, 2));
        assertEquals(4f, t.get(-1, 0));
    }

    @Test
    void ofWithoutShapeIsOneDimensional() {
        Tensor t = Tensor.of(new float[] {7, 8, 9});
        assertArrayEquals(new int[] {3}, t.shape());
    }

    @Test
    void ofCopiesTheArray() {
        float[] data = {1, 2, 3};
        Tensor t = Tensor.of(data, 3);
        data[0] = 100;
        assertArrayEquals(new float[] {1, 2, 3}, t.toFloatArray());
        float[] read = t.toFloatArray();
        read[1] = 100;
        assertArrayEquals(new float[] {1, 2, 3}, t.toFloatArray(), "toFloatArray returns a copy");
    }

    @Test
    void shapeAndStridesAreCopies() {
        Tensor t = Tensor.zeros(2, 3);
        t.shape()[0] = 9;
        t.strides()[0] = 9;
        assertArrayEquals(new int[] {2, 3}, t.shape());
        assertArrayEquals(new int[] {3, 1}, t.strides());
    }

    @Test
    void scalarIsZeroDimensional() {
        Tensor s = Tensor.scalar(2.5f);
        assertEquals(0, s.dim());
        assertArrayEquals(new int[0], s.shape());
        assertEquals(1L, s.numel());
        assertEquals(2.5f, s.item());
        assertEquals(2.5f, s.get());
    }

    @Test
    void ofIntsIsInt32() {
        Tensor t = Tensor.ofInts(new int[] {3, -1, 4, 1}, 2, 2);
        assertEquals(DType.INT32, t.dtype());
        assertArrayEquals(new int[] {3, -1, 4, 1}, t.toIntArray());
        assertArrayEquals(new float[] {3, -1, 4, 1}, t.toFloatArray());
        assertArrayEquals(new int[] {2}, Tensor.ofInts(new int[] {5, 6}).shape());
    }

    @Test
    void zerosOnesFull() {
        assertExact(new float[6], new int[] {2, 3}, Tensor.zeros(2, 3));
        assertExact(new float[] {1, 1, 1, 1}, new int[] {4}, Tensor.ones(4));
        assertExact(new float[] {-1.5f, -1.5f, -1.5f}, new int[] {3, 1}, Tensor.full(-1.5f, 3, 1));
        Tensor z = Tensor.zeros();
        assertEquals(0, z.dim());
        assertEquals(0f, z.item());
        assertEquals(0L, Tensor.zeros(0, 3).numel());
    }

    @Test
    void arangeAndEye() {
        assertExact(new float[] {0, 1, 2, 3, 4}, new int[] {5}, Tensor.arange(5));
        assertExact(new float[0], new int[] {0}, Tensor.arange(0));
        assertExact(new float[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, new int[] {3, 3}, Tensor.eye(3));
    }

    @Test
    void randIsDeterministicPerSeedAndInRange() {
        Tensor a = Tensor.rand(new Generator(42), 4, 5);
        Tensor b = Tensor.rand(new Generator(42), 4, 5);
        Tensor c = Tensor.rand(new Generator(43), 4, 5);
        assertArrayEquals(a.toFloatArray(), b.toFloatArray());
        assertFalse(java.util.Arrays.equals(a.toFloatArray(), c.toFloatArray()));
        assertArrayEquals(new int[] {4, 5}, a.shape());
        for (float v : a.toFloatArray()) {
            assertTrue(v >= 0f && v < 1f, "uniform value " + v);
        }
    }

    @Test
    void randAdvancesTheGenerator() {
        Generator g = new Generator(7);
        Tensor first = Tensor.rand(g, 10);
        Tensor second = Tensor.rand(g, 10);
        assertFalse(java.util.Arrays.equals(first.toFloatArray(), second.toFloatArray()));
        Generator g2 = new Generator(7);
        Tensor both = Tensor.rand(g2, 20);
        float[] all = both.toFloatArray();
        assertArrayEquals(first.toFloatArray(), java.util.Arrays.copyOfRange(all, 0, 10));
        assertArrayEquals(second.toFloatArray(), java.util.Arrays.copyOfRange(all, 10, 20));
    }

    @Test
    void randnIsDeterministicAndRoughlyStandard() {
        Tensor a = Tensor.randn(new Generator(1), 10000);
        Tensor b = Tensor.randn(new Generator(1), 10000);
        assertArrayEquals(a.toFloatArray(), b.toFloatArray());
        double s = 0;
        double s2 = 0;
        for (float v : a.toFloatArray()) {
            s += v;
            s2 += v * v;
        }
        double mean = s / 10000;
        double var = s2 / 10000 - mean * mean;
        assertEquals(0, mean, 0.05);
        assertEquals(1, var, 0.05);
    }

    @Test
    void zerosLikeAndOnesLike() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2).t();
        Tensor z = x.zerosLike();
        assertExact(new float[6], new int[] {2, 3}, z);
        assertEquals(DType.FLOAT32, z.dtype());
        Tensor zi = Tensor.ofInts(new int[] {1, 2}).zerosLike();
        assertEquals(DType.INT32, zi.dtype());
        assertArrayEquals(new int[] {0, 0}, zi.toIntArray());
        assertExact(new float[] {1, 1, 1, 1, 1, 1}, new int[] {2, 3}, x.onesLike());
    }

    @Test
    void toDTypeConverts() {
        Tensor f = Tensor.of(new float[] {1.9f, -1.9f, 0.5f, -0.5f, 3f});
        Tensor i = f.to(DType.INT32);
        assertEquals(DType.INT32, i.dtype());
        assertArrayEquals(new int[] {1, -1, 0, 0, 3}, i.toIntArray(), "truncation toward zero");
        Tensor back = i.to(DType.FLOAT32);
        assertEquals(DType.FLOAT32, back.dtype());
        assertArrayEquals(new float[] {1, -1, 0, 0, 3}, back.toFloatArray());
        assertSame(f, f.to(DType.FLOAT32));
        assertSame(f, f.to(TestDevice.get()));
    }

    @Test
    void toDTypeOfAView() {
        Tensor base = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor v = base.t().to(DType.INT32);
        assertArrayEquals(new int[] {3, 2}, v.shape());
        assertArrayEquals(new int[] {1, 4, 2, 5, 3, 6}, v.toIntArray());
    }

    @Test
    void toIntArrayTruncatesFloats() {
        assertArrayEquals(new int[] {2, -2}, Tensor.of(new float[] {2.7f, -2.7f}).toIntArray());
    }

    @Test
    void itemOfOneElementTensorOfAnyRank() {
        assertEquals(5f, Tensor.of(new float[] {5}, 1, 1, 1).item());
        assertEquals(3f, Tensor.ofInts(new int[] {3}).item());
    }

    @Test
    void contiguousOfContiguousIsSame() {
        Tensor t = Tensor.ones(2, 2);
        assertSame(t, t.contiguous());
        Tensor c = t.t().contiguous();
        assertNotSame(t, c);
    }

    @Test
    void toStringFormatsLikePyTorch() {
        // Like PyTorch, a tensor that is not on the CPU names its device.
        String dev = TestDevice.isCpu() ? "" : ", device=" + TestDevice.get();
        assertEquals("tensor([[1.0000, 2.0000],\n        [3.0000, 4.0000]]" + dev + ")",
                Tensor.of(new float[] {1, 2, 3, 4}, 2, 2).toString());
        assertEquals("tensor(2.5000" + dev + ")", Tensor.scalar(2.5f).toString());
        assertEquals("tensor([1, 2], dtype=int32" + dev + ")", Tensor.ofInts(new int[] {1, 2}).toString());
        assertEquals("tensor([16777217, -2147483648], dtype=int32" + dev + ")",
                Tensor.ofInts(new int[] {16777217, Integer.MIN_VALUE}).toString());
        assertEquals("tensor([1.0000, 3.0000]" + dev + ")", Tensor.of(new float[] {1, 2, 3, 4}, 2, 2).t().select(0, 0).toString());
        String big = Tensor.zeros(2000).toString();
        assertTrue(big.contains("..."), "large tensors are summarised");
        assertTrue(big.length() < 200, big);
        assertTrue(Tensor.of(new float[] {1}).requiresGrad(true).toString().contains("requiresGrad"));
        assertTrue(Tensor.of(new float[] {1}).requiresGrad(true).mul(2f).toString().contains("gradFn"));
        assertEquals("tensor([]" + dev + ")", Tensor.zeros(0).toString());
        Tensor.ones(3, 1).expand(3, 4).toString();
    }

    @Test
    void generatorStateAndHelpers() {
        Generator g = new Generator(99);
        long s = g.state();
        float[] first = Tensor.randn(g, 8).toFloatArray();
        g.setState(s);
        assertArrayEquals(first, Tensor.randn(g, 8).toFloatArray(), "setState replays the sequence");
        int[] p = new Generator(5).permutation(50);
        int[] sorted = p.clone();
        java.util.Arrays.sort(sorted);
        for (int i = 0; i < 50; i++) {
            assertEquals(i, sorted[i]);
        }
        assertArrayEquals(p, new Generator(5).permutation(50));
        Generator b = new Generator(3);
        for (int i = 0; i < 1000; i++) {
            int v = b.nextInt(7);
            assertTrue(v >= 0 && v < 7, "nextInt(7) gave " + v);
            double d = b.nextDouble();
            assertTrue(d >= 0 && d < 1);
        }
        Checks.assertIae(() -> b.nextInt(0), "nextInt", "0");
        Checks.assertIae(() -> b.permutation(-1), "permutation", "-1");
    }

    static Stream<Arguments> nullArguments() {
        Generator g = new Generator(1);
        return Stream.of(
                Arguments.of("Tensor.of: data must not be null", (Executable) () -> Tensor.of(null, 2)),
                Arguments.of("Tensor.of: data must not be null", (Executable) () -> Tensor.of(null)),
                Arguments.of("Tensor.of: shape must not be null", (Executable) () -> Tensor.of(new float[] {1}, (int[]) null)),
                Arguments.of("Tensor.ofInts: data must not be null", (Executable) () -> Tensor.ofInts(null, 2)),
                Arguments.of("Tensor.ofInts: shape must not be null", (Executable) () -> Tensor.ofInts(new int[] {1}, (int[]) null)),
                Arguments.of("zeros: shape must not be null", (Executable) () -> Tensor.zeros((int[]) null)),
                Arguments.of("ones: shape must not be null", (Executable) () -> Tensor.ones((int[]) null)),
                Arguments.of("full: shape must not be null", (Executable) () -> Tensor.full(2f, (int[]) null)),
                Arguments.of("rand: generator must not be null", (Executable) () -> Tensor.rand(null, 2)),
                Arguments.of("rand: shape must not be null", (Executable) () -> Tensor.rand(g, (int[]) null)),
                Arguments.of("randn: generator must not be null", (Executable) () -> Tensor.randn(null, 2)),
                Arguments.of("randn: shape must not be null", (Executable) () -> Tensor.randn(g, (int[]) null)),
                Arguments.of("randLike: generator must not be null", (Executable) () -> Tensor.zeros(2).randLike(null)));
    }

    /** A null argument fails at once with a message naming the factory and the argument, as elsewhere in the library. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("nullArguments")
    void nullArgumentsAreNamed(String message, Executable call) {
        NullPointerException e = assertThrows(NullPointerException.class, call);
        assertEquals(message, e.getMessage());
    }
}
