package dev.tessera;

import static dev.tessera.Checks.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.Oracle.Nd;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * In-place ops ({@code copyFrom}, {@code fill}, {@code addInPlace} with and without alpha,
 * {@code subInPlace}, {@code mulInPlace} by tensor and float, {@code divInPlace}): their values with
 * broadcasting, on strided views (which must write through to the base), on large tensors, that
 * they refuse a tensor requiring grad while grad mode is on but work under noGrad, and that they
 * refuse expanded (stride-0) targets.
 */
@SuppressWarnings("try") // noGrad() scopes are opened for their effect and never referenced
class InPlaceTest {

    @Test
    void copyFromAndFill() {
        Tensor t = Tensor.zeros(2, 3);
        assertSame(t, t.copyFrom(Tensor.of(new float[] {1, 2, 3})));
        assertArrayEquals(new float[] {1, 2, 3, 1, 2, 3}, t.toFloatArray());
        t.copyFrom(Tensor.of(new float[] {7, 8}, 2, 1));
        assertArrayEquals(new float[] {7, 7, 7, 8, 8, 8}, t.toFloatArray());
        t.copyFrom(Tensor.scalar(-1f));
        assertArrayEquals(new float[] {-1, -1, -1, -1, -1, -1}, t.toFloatArray());
        t.copyFrom(Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2).t());
        assertArrayEquals(new float[] {1, 3, 5, 2, 4, 6}, t.toFloatArray());
        assertSame(t, t.fill(2.5f));
        assertArrayEquals(new float[] {2.5f, 2.5f, 2.5f, 2.5f, 2.5f, 2.5f}, t.toFloatArray());
        Tensor ints = Tensor.ofInts(new int[] {1, 2, 3});
        ints.fill(4f);
        assertArrayEquals(new int[] {4, 4, 4}, ints.toIntArray());
        ints.copyFrom(Tensor.of(new float[] {1.7f, -1.7f, 2f}));
        assertArrayEquals(new int[] {1, -1, 2}, ints.toIntArray());
    }

    @Test
    void arithmeticInPlace() {
        float[] a = Checks.normal(121, 12);
        float[] b = Checks.uniform(122, 4, 0.5, 2);
        Nd na = Oracle.nd(a, 3, 4);
        Nd nb = Oracle.nd(b, 4);
        assertClose(Oracle.zip(na, nb, (x, y) -> x + y), Tensor.of(a, 3, 4).addInPlace(Tensor.of(b, 4)));
        assertClose(Oracle.zip(na, nb, (x, y) -> x + 2.5 * y), Tensor.of(a, 3, 4).addInPlace(Tensor.of(b, 4), 2.5f));
        assertClose(Oracle.zip(na, nb, (x, y) -> x - y), Tensor.of(a, 3, 4).subInPlace(Tensor.of(b, 4)));
        assertClose(Oracle.zip(na, nb, (x, y) -> x * y), Tensor.of(a, 3, 4).mulInPlace(Tensor.of(b, 4)));
        assertClose(Oracle.zip(na, nb, (x, y) -> x / y), Tensor.of(a, 3, 4).divInPlace(Tensor.of(b, 4)));
        assertClose(Oracle.map(na, x -> x * -0.5), Tensor.of(a, 3, 4).mulInPlace(-0.5f));
        Tensor t = Tensor.of(a, 3, 4);
        assertSame(t, t.addInPlace(Tensor.scalar(1f)));
        // aliasing: x += x
        Tensor self = Tensor.of(new float[] {1, 2, 3});
        self.addInPlace(self);
        assertArrayEquals(new float[] {2, 4, 6}, self.toFloatArray());
    }

    static Stream<Arguments> inPlaceOps() {
        return Stream.of(
                Arguments.of("copyFrom", (Consumer<Tensor>) t -> t.copyFrom(Tensor.ones(t.shape()))),
                Arguments.of("fill", (Consumer<Tensor>) t -> t.fill(1f)),
                Arguments.of("addInPlace", (Consumer<Tensor>) t -> t.addInPlace(Tensor.ones(t.shape()))),
                Arguments.of("addInPlace alpha", (Consumer<Tensor>) t -> t.addInPlace(Tensor.ones(t.shape()), 0.5f)),
                Arguments.of("subInPlace", (Consumer<Tensor>) t -> t.subInPlace(Tensor.ones(t.shape()))),
                Arguments.of("mulInPlace", (Consumer<Tensor>) t -> t.mulInPlace(Tensor.ones(t.shape()))),
                Arguments.of("mulInPlace float", (Consumer<Tensor>) t -> t.mulInPlace(2f)),
                Arguments.of("divInPlace", (Consumer<Tensor>) t -> t.divInPlace(Tensor.ones(t.shape()))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("inPlaceOps")
    void refusedOnRequiresGradWhileRecording(String name, Consumer<Tensor> op) {
        Tensor x = Tensor.of(new float[] {3, 4}).requiresGrad(true);
        RuntimeException e = assertThrows(RuntimeException.class, () -> op.accept(x));
        assertTrue(e instanceof IllegalStateException || e instanceof IllegalArgumentException, e.toString());
        assertTrue(e.getMessage().contains("noGrad"), e.getMessage());
        assertArrayEquals(new float[] {3, 4}, x.toFloatArray(), name + " must not have modified the tensor");
        // so is a non-leaf result that requires grad
        assertThrows(RuntimeException.class, () -> op.accept(x.mul(1f)));
        // allowed under noGrad, and the value changes
        try (var ng = Tensor.noGrad()) {
            op.accept(x);
        }
        assertTrue(x.requiresGrad());
        float[] v = x.toFloatArray();
        assertTrue(v[0] != 3 || v[1] != 4 || name.startsWith("mulInPlace") && !name.endsWith("float")
                || name.startsWith("divInPlace"), name + " changed nothing: " + java.util.Arrays.toString(v));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("inPlaceOps")
    void refusedOnExpandedView(String name, Consumer<Tensor> op) {
        Tensor base = Tensor.of(new float[] {1, 2, 3}, 3, 1);
        Checks.assertIae(() -> op.accept(base.expand(3, 4)), "expanded");
        assertArrayEquals(new float[] {1, 2, 3}, base.toFloatArray());
    }

    @Test
    void writesThroughStridedViews() {
        Tensor base = Tensor.arange(12).reshape(3, 4);
        base.t().slice(0, 1, 4, 2).addInPlace(Tensor.of(new float[] {100, 200, 300})); // columns 1, 3
        assertArrayEquals(new float[] {0, 101, 2, 103, 4, 205, 6, 207, 8, 309, 10, 311}, base.toFloatArray());
        base.select(1, 0).mulInPlace(-1f);
        assertArrayEquals(new float[] {0, -4, -8}, base.select(1, 0).toFloatArray(), 0f);
        base.slice(0, 2, 3).copyFrom(Tensor.of(new float[] {9, 9, 9, 9}));
        assertArrayEquals(new float[] {9, 9, 9, 9}, base.select(0, 2).toFloatArray());
        base.permute(1, 0).divInPlace(Tensor.of(new float[] {1, 2, 4}));
        assertArrayEquals(new float[] {0, 101, 2, 103, -2, 102.5f, 3, 103.5f, 2.25f, 2.25f, 2.25f, 2.25f}, base.toFloatArray(), 0f);
    }

    @Test
    void largeInPlaceOps() {
        int rows = 300;
        int cols = 517;
        float[] a = Checks.normal(123, rows * cols);
        float[] b = Checks.normal(124, cols);
        Nd na = Oracle.nd(a, rows, cols);
        Tensor t = Tensor.of(a, rows, cols);
        t.addInPlace(Tensor.of(b, cols), 3f);
        assertClose(Oracle.zip(na, Oracle.nd(b, cols), (x, y) -> x + 3 * y), t, 1e-5, 1e-5);
        Tensor big = Tensor.zeros(cols, rows);
        big.t().copyFrom(Tensor.of(a, rows, cols));
        assertClose(Oracle.transpose(na, 0, 1), big, 0, 0);
    }

    @Test
    void optimizerStyleUpdateUnderNoGrad() {
        Tensor w = Tensor.of(new float[] {1, 2, 3}).requiresGrad(true);
        w.square().sum().backward();
        try (var ng = Tensor.noGrad()) {
            w.addInPlace(w.grad(), -0.1f);
        }
        assertClose(Oracle.nd(new float[] {0.8f, 1.6f, 2.4f}, 3), w);
        w.zeroGrad();
        w.square().sum().backward();
        assertClose(Oracle.nd(new float[] {1.6f, 3.2f, 4.8f}, 3), w.grad());
    }

    @Test
    void sourceThatDoesNotBroadcastIsRefused() {
        Tensor t = Tensor.zeros(2, 3);
        Checks.assertIae(() -> t.copyFrom(Tensor.ones(3, 3)), "copyFrom", "[3, 3]", "[2, 3]");
        Checks.assertIae(() -> t.addInPlace(Tensor.ones(2, 1, 3)), "addInPlace", "[2, 1, 3]", "[2, 3]");
        Checks.assertIae(() -> Tensor.ofInts(new int[] {1}).addInPlace(Tensor.ones(1)), "INT32");
    }

    /**
     * A source that overlaps the target must give the result of copying the source first (or be
     * refused with IllegalArgumentException, as PyTorch refuses partial overlap); it must never
     * silently read elements it has already overwritten.
     */
    @Test
    void overlappingSourceIsReadBeforeItIsOverwritten() {
        Tensor m = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
        Tensor v = Tensor.of(new float[] {0, 1, 2, 3, 4});
        Tensor w = Tensor.of(new float[] {0, 1, 2, 3, 4});
        Tensor r = Tensor.of(new float[] {0, 1, 2, 3, 4, 5});
        org.junit.jupiter.api.Assertions.assertAll(
            () -> expectOverlapSafe("m.copyFrom(m.t())", () -> m.copyFrom(m.t()), m, new float[] {1, 3, 2, 4}),
            () -> expectOverlapSafe("a.addInPlace(a.t())", () -> a.addInPlace(a.t()), a, new float[] {2, 5, 5, 8}),
            () -> expectOverlapSafe("shift left", () -> v.slice(0, 0, 4).copyFrom(v.slice(0, 1, 5)), v,
                    new float[] {1, 2, 3, 4, 4}),
            () -> expectOverlapSafe("shift right", () -> w.slice(0, 1, 5).copyFrom(w.slice(0, 0, 4)), w,
                    new float[] {0, 0, 1, 2, 3}),
            () -> expectOverlapSafe("copied transpose", () -> r.copyFrom(r.reshape(2, 3).t().reshape(6)), r,
                    new float[] {0, 3, 1, 4, 2, 5}));
    }

    private static void expectOverlapSafe(String what, Runnable op, Tensor target, float[] expected) {
        try {
            op.run();
        } catch (IllegalArgumentException refused) {
            return; // refusing overlap is acceptable
        }
        assertArrayEquals(expected, target.toFloatArray(), what + ": in-place op with an overlapping source");
    }
}
