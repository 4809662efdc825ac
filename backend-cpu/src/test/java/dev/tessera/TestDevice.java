package dev.tessera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tessera.kit.ForeignCpuBackend;
import dev.tessera.spi.Backend;
import java.util.Arrays;
import java.util.Locale;

/**
 * The device the conformance kit runs on, and its tolerance policy.
 *
 * <p>The device comes from the system property {@value #PROPERTY}: absent or {@code cpu} is the CPU;
 * {@code opencl:0}, {@code cuda:0}, ... a device of a backend on the classpath; {@code foreign}
 * installs a {@link ForeignCpuBackend} as {@link #FOREIGN} (the CPU's kernels behind storages
 * of their own, so that a test that mixes a CPU tensor with the kit device fails) and {@code
 * foreign-composed} the same with every fused kernel replaced by the SPI's composed default.
 *
 * <p>Tolerances: the CPU backend, and the foreign test backend which runs its kernels, give the
 * CPU's bits ({@link #sameBitsAsCpu()}); {@code foreign-composed} does not, and is held to the
 * tolerances a GPU gets. Any other device may sum in another order, use fused
 * multiply-adds or TF32, so comparisons with the CPU or the double oracle are widened to at least
 * {@link #tolerance(Kind)} there. Bit-for-bit determinism of repeated runs on one device is
 * expected everywhere.
 */
public final class TestDevice {
    /** The system property that names the kit's device. */
    public static final String PROPERTY = "tessera.test.device";

    /** The device the foreign test backend is installed as. */
    public static final Device FOREIGN = Device.opencl(9);

    private static volatile Device device;

    private TestDevice() {
    }

    /** The kind of computation a comparison checks; the tolerance a non-CPU device gets grows with it. */
    public enum Kind {
        /** One rounding per element: add, mul, copies, comparisons. */
        ELEMENTWISE(1e-5, 1e-6),
        /** Library math functions (exp, log, tanh, pow, erf) whose last bits differ between implementations. */
        TRANSCENDENTAL(1e-4, 1e-6),
        /** Sums and means in another order. */
        REDUCTION(1e-4, 1e-5),
        /** Softmax, log-softmax, normalisations: a reduction and transcendental functions. */
        SOFTMAX(1e-4, 1e-6),
        /** Matrix products and convolutions (long dot products, possibly TF32 on a GPU). */
        GEMM(2e-3, 1e-4);

        private final double rtol;
        private final double atol;

        Kind(double rtol, double atol) {
            this.rtol = rtol;
            this.atol = atol;
        }
    }

    /** A relative and an absolute tolerance: {@code |expected - actual| <= atol + rtol * |expected|}. */
    public record Tolerance(double rtol, double atol) {
    }

    /** Returns the device of the kit (parsed once from {@value #PROPERTY}; the foreign backend is installed then). */
    public static Device get() {
        Device d = device;
        if (d == null) {
            synchronized (TestDevice.class) {
                d = device;
                if (d == null) {
                    d = resolve(System.getProperty(PROPERTY, ""));
                    device = d;
                }
            }
        }
        return d;
    }

    private static Device resolve(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        switch (t) {
            case "", "cpu":
                return Device.cpu();
            case "foreign":
                BackendRegistry.install(new ForeignCpuBackend(FOREIGN, false).backend());
                return FOREIGN;
            case "foreign-composed":
                BackendRegistry.install(new ForeignCpuBackend(FOREIGN, true).backend());
                return FOREIGN;
            default:
                return Device.parse(t);
        }
    }

    /** Returns the property's text, or "cpu". */
    public static String name() {
        String p = System.getProperty(PROPERTY, "").trim();
        return p.isEmpty() ? "cpu" : p;
    }

    /** Returns true when the kit runs on the CPU backend itself. */
    public static boolean isCpu() {
        return get().equals(Device.cpu());
    }

    /** Returns true when the kit runs on the foreign test backend (the CPU's kernels behind other storages). */
    public static boolean isForeign() {
        return name().toLowerCase(Locale.ROOT).startsWith("foreign");
    }

    /** Returns the backend of the kit's device (opened on first use). */
    public static Backend backend() {
        return BackendRegistry.backend(get());
    }

    /** Returns the CPU backend, the reference the kit compares with. */
    public static Backend cpuBackend() {
        return BackendRegistry.backend(Device.cpu());
    }

    /**
     * Returns true when results on the kit's device equal the CPU backend's bit for bit: on the CPU
     * and on the foreign test backend (which runs the CPU's kernels), not on {@code foreign-composed}
     * (other kernels, other roundings). A GPU does not promise it.
     */
    public static boolean sameBitsAsCpu() {
        return isCpu() || name().equalsIgnoreCase("foreign");
    }

    /** Returns the tolerance a comparison of {@code kind} gets on the kit's device: zero where {@link #sameBitsAsCpu()}. */
    public static Tolerance tolerance(Kind kind) {
        return sameBitsAsCpu() ? new Tolerance(0, 0) : new Tolerance(kind.rtol, kind.atol);
    }

    /**
     * Returns a test's own tolerance against the double oracle, widened on a device that is not
     * bit-compatible with the CPU to at least {@code kind}'s figures.
     */
    public static Tolerance widen(double rtol, double atol, Kind kind) {
        Tolerance t = tolerance(kind);
        return new Tolerance(Math.max(rtol, t.rtol), Math.max(atol, t.atol));
    }

    /**
     * Asserts that {@code actual} (computed on the kit's device) equals {@code cpu} (the CPU
     * backend's result for the same inputs): bit for bit where {@link #sameBitsAsCpu()}, else within
     * {@link #tolerance(Kind)}. NaN matches NaN, infinities must match exactly.
     */
    public static void assertMatchesCpu(String what, float[] cpu, float[] actual, Kind kind) {
        assertEquals(cpu.length, actual.length, what + ": element count");
        if (sameBitsAsCpu()) {
            for (int i = 0; i < cpu.length; i++) {
                if (Float.floatToIntBits(cpu[i]) != Float.floatToIntBits(actual[i])) {
                    fail(what + ": element " + i + " is " + actual[i] + " on " + name() + " but " + cpu[i]
                            + " on the cpu (bit-for-bit expected here)");
                }
            }
            return;
        }
        assertClose(what + " (vs cpu)", cpu, actual, tolerance(kind));
    }

    /** Asserts {@code |expected - actual| <= atol + rtol * |expected|} element by element, naming the first miss. */
    public static void assertClose(String what, float[] expected, float[] actual, Tolerance tol) {
        assertEquals(expected.length, actual.length, what + ": element count");
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            double a = actual[i];
            boolean ok = Double.isNaN(e) ? Double.isNaN(a)
                    : Double.isInfinite(e) ? e == a : Math.abs(e - a) <= tol.atol + tol.rtol * Math.abs(e);
            if (!ok) {
                fail(what + ": element " + i + " expected " + e + " but was " + a + " (rtol " + tol.rtol + ", atol "
                        + tol.atol + ") on " + name() + (expected.length <= 16 ? "; expected " + Arrays.toString(expected)
                        + ", was " + Arrays.toString(actual) : ""));
            }
        }
    }
}
