package dev.tessera.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.kit.ComposedOnly;
import dev.tessera.DType;
import dev.tessera.TestDevice;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The composed SPI defaults of {@code adamUpdate}, {@code sgdUpdate}, {@code axpy} and {@code fillUniform} (which a
 * backend without those kernels inherits, and which the CPU runs for non-contiguous views), built on
 * the kit device's primitives, against the CPU's fused kernels and a double-precision oracle: Adam
 * and AdamW, with and without weight decay, over several steps (the bias corrections change each
 * step), on contiguous and strided parameters; SGD with and without momentum, dampening, Nesterov and
 * weight decay, bit for bit against the composed passes. Also checks that every default method of {@link
 * Backend} is a kernel the kit runs composed (or bookkeeping), so a new one cannot go untested.
 */
class ComposedOptimTest {

    @Test
    void everyDefaultOfTheSpiIsRunComposedByTheKit() {
        TreeSet<String> unknown = new TreeSet<>();
        TreeSet<String> defaults = new TreeSet<>();
        for (Method m : Backend.class.getMethods()) {
            if (m.isDefault()) {
                defaults.add(m.getName());
                if (!ComposedOnly.KERNELS.contains(m.getName()) && !ComposedOnly.NOT_KERNELS.contains(m.getName())) {
                    unknown.add(m.getName());
                }
            }
        }
        assertTrue(unknown.isEmpty(), "default methods of Backend that the kit does not know: " + unknown
                + " (add them to ComposedOnly.KERNELS and test them against the CPU's kernels)");
        assertTrue(defaults.containsAll(ComposedOnly.KERNELS), "not defaults (any more): " + ComposedOnly.KERNELS);
    }

    // ------------------------------------------------------------------ Adam

    /** One optimizer configuration. */
    record Adam(String name, float lr, float beta1, float beta2, float eps, float weightDecay, boolean decoupled) {
        AdamSpec spec(int step) {
            return new AdamSpec(lr, beta1, beta2, eps, weightDecay, decoupled, (float) (1 - Math.pow(beta1, step)),
                    (float) Math.sqrt(1 - Math.pow(beta2, step)));
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> adams() {
        List<Arguments> out = new ArrayList<>();
        Adam[] configs = {
            new Adam("Adam", 1e-2f, 0.9f, 0.999f, 1e-8f, 0f, false),
            new Adam("Adam+L2", 3e-2f, 0.8f, 0.99f, 1e-6f, 0.1f, false),
            new Adam("AdamW", 1e-2f, 0.9f, 0.999f, 1e-8f, 0.05f, true),
            new Adam("AdamW eps=0.1", 5e-3f, 0.5f, 0.9f, 0.1f, 0.3f, true),
        };
        for (Adam a : configs) {
            for (int n : new int[] {1, 37, 1031}) {
                out.add(Arguments.of(a, n));
            }
        }
        return out.stream();
    }

    /** Seeded standard-normal floats: the parameter and the gradients of a run. */
    private static float[] init(long seed, int n) {
        Random r = new Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    /** Six Adam steps on {@code b} (the parameter strided or contiguous); returns param, expAvg, expAvgSq. */
    private static float[][] adamSteps(Backend b, Adam a, int n, boolean strided) {
        View p = strided ? stridedCopy(b, init(1, n)) : ComposedOnly.view(b, init(1, n), n);
        View m = ComposedOnly.zeros(b, DType.FLOAT32, n);
        View v = ComposedOnly.zeros(b, DType.FLOAT32, n);
        for (int step = 1; step <= 6; step++) {
            View g = ComposedOnly.view(b, init(100 + step, n), n);
            b.adamUpdate(p, g, m, v, a.spec(step));
        }
        return new float[][] {b.readFloats(p), b.readFloats(m), b.readFloats(v)};
    }

    /** A non-contiguous view holding {@code data}: every second element of a storage twice as long. */
    private static View stridedCopy(Backend b, float[] data) {
        float[] spaced = new float[2 * data.length];
        for (int i = 0; i < data.length; i++) {
            spaced[2 * i] = data[i];
            spaced[2 * i + 1] = Float.NaN; // must never be read or written
        }
        View v = new View(b.upload(spaced), new int[] {data.length}, new int[] {2}, 0);
        assertEquals(data.length <= 1, v.isContiguous());
        return v;
    }

    /** The formulas of {@link AdamSpec} in double precision. */
    private static double[][] adamOracle(Adam a, int n) {
        double[] p = toDouble(init(1, n));
        double[] m = new double[n];
        double[] v = new double[n];
        for (int step = 1; step <= 6; step++) {
            double[] g = toDouble(init(100 + step, n));
            double bias1 = 1 - Math.pow(a.beta1, step);
            double bias2Sqrt = Math.sqrt(1 - Math.pow(a.beta2, step));
            for (int i = 0; i < n; i++) {
                double d = g[i];
                if (a.weightDecay != 0) {
                    if (a.decoupled) {
                        p[i] *= 1 - (double) a.lr * a.weightDecay;
                    } else {
                        d += a.weightDecay * p[i];
                    }
                }
                m[i] = a.beta1 * m[i] + (1 - (double) a.beta1) * d;
                v[i] = a.beta2 * v[i] + (1 - (double) a.beta2) * d * d;
                p[i] -= a.lr / bias1 * m[i] / (Math.sqrt(v[i]) / bias2Sqrt + a.eps);
            }
        }
        return new double[][] {p, m, v};
    }

    @ParameterizedTest(name = "{0} n={1}")
    @MethodSource("adams")
    void composedAdamAgreesWithTheFusedKernelAndTheOracle(Adam a, int n) {
        Backend cpu = TestDevice.cpuBackend();
        double[][] oracle = adamOracle(a, n);
        String[] names = {"param", "expAvg", "expAvgSq"};
        float[][] fused = adamSteps(cpu, a, n, false);
        float[][] composed = adamSteps(ComposedOnly.onTestDevice(), a, n, false);
        float[][] device = adamSteps(TestDevice.backend(), a, n, false);
        float[][] strided = adamSteps(TestDevice.backend(), a, n, true); // the CPU composes for strided views
        for (int i = 0; i < 3; i++) {
            assertOracle("cpu fused " + names[i], oracle[i], fused[i]);
            assertOracle("composed " + names[i], oracle[i], composed[i]);
            assertOracle("strided " + names[i], oracle[i], strided[i]);
            TestDevice.assertMatchesCpu("device " + names[i], fused[i], device[i], TestDevice.Kind.TRANSCENDENTAL);
        }
    }

    /** Adam's scalars leave little headroom: a few float roundings per step, relative to the values. */
    private static void assertOracle(String what, double[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            double tol = 2e-6 + 2e-5 * Math.abs(expected[i]);
            assertTrue(Math.abs(expected[i] - actual[i]) <= tol,
                    what + " element " + i + ": expected " + expected[i] + " but was " + actual[i]);
        }
    }

    // ------------------------------------------------------------------ SGD

    /** One SGD configuration; {@code lr} of -1 makes the update a plain add (alpha 1). */
    record Sgd(String name, float lr, float momentum, float dampening, float weightDecay, boolean nesterov) {
        SgdSpec spec(int step) {
            return new SgdSpec(lr, momentum, dampening, weightDecay, nesterov, step == 1);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> sgds() {
        List<Arguments> out = new ArrayList<>();
        Sgd[] configs = {
            new Sgd("plain", 0.1f, 0f, 0f, 0f, false),
            new Sgd("plain+L2", 0.05f, 0f, 0f, 0.01f, false),
            new Sgd("momentum", 0.01f, 0.9f, 0f, 0f, false),
            new Sgd("momentum+dampening+L2", 0.03f, 0.8f, 0.1f, 0.02f, false),
            new Sgd("nesterov+L2", 0.02f, 0.9f, 0f, 5e-4f, true),
            new Sgd("lr=-1", -1f, 0.5f, 0f, 0f, false),
        };
        for (Sgd c : configs) {
            for (int n : new int[] {1, 37, 70_001}) {
                out.add(Arguments.of(c, n));
            }
        }
        return out.stream();
    }

    /** Four SGD steps on {@code b}; returns the parameter and, with momentum, the buffer. */
    private static float[][] sgdSteps(Backend b, Sgd c, int n, boolean strided) {
        View p = strided ? stridedCopy(b, init(1, n)) : ComposedOnly.view(b, init(1, n), n);
        View buf = c.momentum == 0f ? null : ComposedOnly.zeros(b, DType.FLOAT32, n);
        for (int step = 1; step <= 4; step++) {
            View g = ComposedOnly.view(b, init(200 + step, n), n);
            b.sgdUpdate(p, g, buf, c.spec(step));
        }
        return buf == null ? new float[][] {b.readFloats(p)} : new float[][] {b.readFloats(p), b.readFloats(buf)};
    }

    /** PyTorch's SGD formulas in double precision. */
    private static double[][] sgdOracle(Sgd c, int n) {
        double[] p = toDouble(init(1, n));
        double[] buf = new double[n];
        for (int step = 1; step <= 4; step++) {
            double[] g = toDouble(init(200 + step, n));
            for (int i = 0; i < n; i++) {
                double d = g[i] + (double) c.weightDecay * p[i];
                if (c.momentum != 0f) {
                    buf[i] = step == 1 ? d : c.momentum * buf[i] + (1 - (double) c.dampening) * d;
                    d = c.nesterov ? d + c.momentum * buf[i] : buf[i];
                }
                p[i] -= c.lr * d;
            }
        }
        return c.momentum == 0f ? new double[][] {p} : new double[][] {p, buf};
    }

    @ParameterizedTest(name = "{0} n={1}")
    @MethodSource("sgds")
    void fusedSgdHasTheBitsOfTheComposedDefaultAndFollowsTheOracle(Sgd c, int n) {
        double[][] oracle = sgdOracle(c, n);
        float[][] fused = sgdSteps(TestDevice.cpuBackend(), c, n, false);
        float[][] composed = sgdSteps(ComposedOnly.onTestDevice(), c, n, false);
        float[][] device = sgdSteps(TestDevice.backend(), c, n, false);
        float[][] strided = sgdSteps(TestDevice.backend(), c, n, true); // the CPU composes for strided views
        String[] names = {"param", "buffer"};
        for (int i = 0; i < oracle.length; i++) {
            assertOracle("cpu fused " + names[i], oracle[i], fused[i]);
            assertOracle("composed " + names[i], oracle[i], composed[i]);
            assertOracle("strided " + names[i], oracle[i], strided[i]);
            TestDevice.assertMatchesCpu("device " + names[i], fused[i], device[i], TestDevice.Kind.ELEMENTWISE);
            if (TestDevice.sameBitsAsCpu()) {
                // The kernel rounds every term as the composed passes do: switching between them
                // (contiguous or not, CPU or a backend without the kernel) never changes a bit.
                assertArrayEquals(composed[i], fused[i], names[i]);
                assertArrayEquals(fused[i], strided[i], names[i]);
            }
        }
    }

    // ------------------------------------------------------------------ axpy

    @ParameterizedTest(name = "n={0} alpha={1} x broadcast={2} y strided={3}")
    @CsvSource({"1, 2.5, false, false", "37, -0.75, false, false", "1031, 0.001, false, true", "37, 3, true, false",
        "64, -1, true, true", "0, 1, false, false", "9, 0, false, false"})
    void composedAxpyAgreesWithTheFusedKernel(int n, float alpha, boolean broadcast, boolean strided) {
        float[] x = init(5, n);
        float[] y = init(6, n);
        double[] expected = new double[n];
        for (int i = 0; i < n; i++) {
            expected[i] = (double) y[i] + (double) alpha * (broadcast ? x[0] : x[i]);
        }
        float[] fused = axpy(TestDevice.cpuBackend(), x, y, alpha, broadcast, strided);
        float[] composed = axpy(ComposedOnly.onTestDevice(), x, y, alpha, broadcast, strided);
        float[] device = axpy(TestDevice.backend(), x, y, alpha, broadcast, strided);
        assertOracle("cpu fused", expected, fused);
        assertOracle("composed", expected, composed);
        TestDevice.assertMatchesCpu("device", fused, device, TestDevice.Kind.ELEMENTWISE);
        if (TestDevice.sameBitsAsCpu()) {
            // y + (alpha * x) rounds twice either way: the composed default equals the kernel's bits.
            assertArrayEquals(fused, composed);
        }
    }

    private static float[] axpy(Backend b, float[] x, float[] y, float alpha, boolean broadcast, boolean strided) {
        int n = y.length;
        View xv = broadcast && n > 0 ? new View(b.upload(new float[] {x[0]}), new int[] {n}, new int[] {0}, 0)
                : ComposedOnly.view(b, x, n);
        View yv = strided ? stridedCopy(b, y) : ComposedOnly.view(b, y, n);
        b.axpy(xv, alpha, yv);
        return b.readFloats(yv);
    }

    // ------------------------------------------------------------------ fillUniform

    @ParameterizedTest(name = "n={0} [{1}, {2}) strided={3}")
    @CsvSource({"1, 0, 1, false", "67, -2, 3, false", "4099, 0.5, 0.75, false", "70001, -3, 0.25, false", "33, -1, 1, true",
        "0, 0, 1, false"})
    void composedFillUniformIsTheSplitMixStream(int n, float low, float high, boolean strided) {
        long state = 0x5EED_1234L + n;
        float[] expected = new float[n];
        for (int i = 0; i < n; i++) {
            expected[i] = low + (high - low) * SplitMix.uniform(state, i);
        }
        for (Backend b : new Backend[] {TestDevice.cpuBackend(), ComposedOnly.onTestDevice(), TestDevice.backend()}) {
            View out = strided ? stridedCopy(b, new float[n]) : ComposedOnly.zeros(b, DType.FLOAT32, n);
            b.fillUniform(out, state, low, high);
            // The stream is part of the SPI contract: the same numbers on every device, bit for bit.
            assertArrayEquals(expected, b.readFloats(out), b.toString());
        }
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
