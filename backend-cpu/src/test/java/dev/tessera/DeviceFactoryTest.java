package dev.tessera;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.spi.SplitMix;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The factories that take a {@link Device}: the same values as the CPU forms, on the device asked
 * for, built through that device's backend (allocated there, or uploaded once; never created on the
 * CPU and copied), and a clear error for a null or unavailable device. Random factories give the
 * numbers of the CPU forms for a seed, and those stay the documented SplitMix64 stream.
 */
class DeviceFactoryTest {

    /**
     * A factory: its name, its form with a device, the CPU form it must equal, and the number of host
     * uploads it may make (0 for constants and uniform numbers, which are filled on the device).
     */
    record Factory(String name, Function<Device, Tensor> onDevice, Tensor cpuForm, int uploads) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Factory> factories() {
        float[] data = {1.5f, -2f, 3.25f, 0f, 7f, -0f};
        int[] ints = {4, -1, 0, 9, 2, 3};
        return Stream.of(
                new Factory("Tensor.of", d -> Tensor.of(d, data, 2, 3), Tensor.of(data, 2, 3), 1),
                new Factory("Tensor.of(1-D)", d -> Tensor.of(d, data), Tensor.of(data), 1),
                new Factory("Tensor.ofInts", d -> Tensor.ofInts(d, ints, 3, 2), Tensor.ofInts(ints, 3, 2), 1),
                new Factory("Tensor.scalar", d -> Tensor.scalar(d, -4.5f), Tensor.scalar(-4.5f), 0),
                new Factory("Tensor.zeros", d -> Tensor.zeros(d, 2, 0, 3), Tensor.zeros(2, 0, 3), 0),
                new Factory("Tensor.zeros(0-d)", d -> Tensor.zeros(d), Tensor.zeros(), 0),
                new Factory("Tensor.ones", d -> Tensor.ones(d, 3, 4), Tensor.ones(3, 4), 0),
                new Factory("Tensor.full", d -> Tensor.full(d, Float.NEGATIVE_INFINITY, 5), Tensor.full(Float.NEGATIVE_INFINITY, 5), 0),
                new Factory("Tensor.arange", d -> Tensor.arange(d, 7), Tensor.arange(7), 1),
                new Factory("Tensor.eye", d -> Tensor.eye(d, 4), Tensor.eye(4), 1),
                new Factory("Tensor.rand", d -> Tensor.rand(new Generator(42), d, 3, 5), Tensor.rand(new Generator(42), 3, 5), 0),
                new Factory("Tensor.randn", d -> Tensor.randn(new Generator(42), d, 3, 5), Tensor.randn(new Generator(42), 3, 5), 1));
    }

    private static void assertSameTensor(Tensor expected, Tensor actual) {
        assertArrayEquals(expected.shape(), actual.shape());
        assertEquals(expected.dtype(), actual.dtype());
        if (expected.dtype() == DType.INT32) {
            assertArrayEquals(expected.toIntArray(), actual.toIntArray());
        } else {
            float[] e = expected.toFloatArray();
            float[] a = actual.toFloatArray();
            assertEquals(e.length, a.length);
            for (int i = 0; i < e.length; i++) {
                assertEquals(Float.floatToRawIntBits(e[i]), Float.floatToRawIntBits(a[i]), "element " + i);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("factories")
    void onTheCpuEqualsTheCpuForm(Factory f) {
        Tensor t = f.onDevice().apply(Device.cpu());
        assertEquals(Device.cpu(), t.device());
        assertSameTensor(f.cpuForm(), t);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("factories")
    void buildsThroughTheDevicesOwnBackend(Factory f) {
        try (CountingBackend dev = new CountingBackend(Device.opencl(5), false).install()) {
            Tensor t = f.onDevice().apply(dev.device());
            assertEquals(dev.device(), t.device(), "lands on the device asked for");
            assertEquals(f.uploads(), dev.uploads(), "host uploads through the device's backend");
            assertSameTensor(f.cpuForm(), t.to(Device.cpu()));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("factories")
    void anUnavailableDeviceIsRejectedWithTheReason(Factory f) {
        String factory = f.name().replaceAll("\\(.*", "");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.onDevice().apply(Device.cuda(0)));
        assertTrue(e.getMessage().startsWith(factory + ": device cuda:0 is not available: "), e.getMessage());
        assertTrue(e.getMessage().contains("no backend on the classpath reports it"), e.getMessage());
        assertTrue(e.getMessage().contains("tessera-backend-cuda"), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("factories")
    void aNullDeviceIsRejected(Factory f) {
        String factory = f.name().replaceAll("\\(.*", "");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.onDevice().apply(null));
        assertEquals(factory + ": device must not be null (use Device.cpu() for the CPU)", e.getMessage());
    }

    @Test
    void randIsTheSplitMixStreamOnEveryDevice() {
        long seed = 0x1234_5678_9ABCL;
        Generator g = new Generator(seed);
        float[] expected = new float[12];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = SplitMix.uniform(seed, i);
        }
        assertArrayEquals(expected, Tensor.rand(g, Device.cpu(), 3, 4).toFloatArray());
        assertEquals(seed + 12 * SplitMix.GAMMA, g.state(), "the generator advances past the numbers drawn");
        try (CountingBackend dev = new CountingBackend(Device.opencl(5), true).install()) {
            // The composed fillUniform default draws the same stream as the CPU's kernel.
            assertArrayEquals(expected, Tensor.rand(new Generator(seed), dev.device(), 3, 4).to(Device.cpu()).toFloatArray());
        }
    }

    @Test
    void randnIsBoxMullerOfTheGeneratorOnEveryDevice() {
        float[] expected = new float[10];
        new Generator(7).fillNormal(expected, 0f, 1f);
        assertArrayEquals(expected, Tensor.randn(new Generator(7), 2, 5).toFloatArray());
        assertArrayEquals(expected, Tensor.randn(new Generator(7), Device.cpu(), 2, 5).toFloatArray());
        Generator a = new Generator(7);
        Generator b = new Generator(7);
        Tensor.randn(a, 2, 5);
        Tensor.randn(b, Device.cpu(), 2, 5);
        assertEquals(a.state(), b.state());
    }

    @Test
    void likeHelpersUseTheSourcesDeviceAndShape() {
        try (CountingBackend dev = new CountingBackend(Device.opencl(5), false).install()) {
            Tensor x = Tensor.zeros(dev.device(), 2, 3);
            Tensor full = x.fullLike(2.5f);
            Tensor rand = x.randLike(new Generator(3));
            Tensor randn = x.randnLike(new Generator(3));
            for (Tensor t : new Tensor[] {x.zerosLike(), x.onesLike(), full, rand, randn}) {
                assertEquals(dev.device(), t.device());
                assertArrayEquals(new int[] {2, 3}, t.shape());
            }
            assertArrayEquals(Tensor.full(2.5f, 2, 3).toFloatArray(), full.to(Device.cpu()).toFloatArray());
            assertArrayEquals(Tensor.rand(new Generator(3), 2, 3).toFloatArray(), rand.to(Device.cpu()).toFloatArray());
            assertArrayEquals(Tensor.randn(new Generator(3), 2, 3).toFloatArray(), randn.to(Device.cpu()).toFloatArray());
            assertEquals(1, dev.uploads(), "only randn uploads (numbers drawn on the host)");
        }
    }

    @Test
    void tensorsOnTwoBackendsDoNotMix() {
        try (CountingBackend dev = new CountingBackend(Device.opencl(5), false).install()) {
            Tensor a = Tensor.ones(dev.device(), 2);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.add(Tensor.ones(2)));
            assertTrue(e.getMessage().contains("different devices"), e.getMessage());
            assertNotEquals(Device.cpu(), a.device());
        }
    }

    @Test
    void shapeErrorsKeepTheirMessages() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.of(Device.cpu(), new float[] {1, 2, 3}, 2, 2));
        assertEquals(e.getMessage(), assertThrows(IllegalArgumentException.class,
                () -> Tensor.of(new float[] {1, 2, 3}, 2, 2)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Tensor.arange(Device.cpu(), -1));
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(Device.cpu(), 2, -1));
    }
}
