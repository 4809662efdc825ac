package dev.tessera;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tessera.Oracle.Nd;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.function.Executable;

/**
 * Shared test helpers: seeded input data, tolerance comparisons (relative plus absolute) that name
 * the first mismatching element, and a check that an exception is an {@link
 * IllegalArgumentException} whose message contains given fragments.
 */
final class Checks {
    /** Tolerances for elementwise results. */
    static final double RTOL = 1e-5;
    static final double ATOL = 1e-6;

    private Checks() {
    }

    // ------------------------------------------------------------------ data

    /** Standard-normal floats from a seeded {@link Random}. */
    static float[] normal(long seed, int n) {
        Random r = new Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    /** Uniform floats in {@code [lo, hi)}. */
    static float[] uniform(long seed, int n, double lo, double hi) {
        Random r = new Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (lo + (hi - lo) * r.nextDouble());
        }
        return a;
    }

    /** Uniform floats in {@code [lo, hi)} kept more than {@code gap} away from every point in {@code kinks}. */
    static float[] uniformAvoiding(long seed, int n, double lo, double hi, double gap, double... kinks) {
        Random r = new Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            float v;
            boolean ok;
            do {
                v = (float) (lo + (hi - lo) * r.nextDouble());
                ok = true;
                for (double k : kinks) {
                    ok &= Math.abs(v - k) > gap;
                }
            } while (!ok);
            a[i] = v;
        }
        return a;
    }

    /** Distinct values (a shuffled, scaled range) so that max/min have no ties and no near-ties. */
    static float[] distinct(long seed, int n) {
        Random r = new Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (i - n / 2f) * 0.25f;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            float t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }

    /** A FLOAT32 tensor (0-d when {@code shape} is empty). */
    static Tensor tensor(float[] data, int... shape) {
        return shape.length == 0 ? Tensor.scalar(data[0]) : Tensor.of(data, shape);
    }

    static Tensor randn(long seed, int... shape) {
        return tensor(normal(seed, Oracle.numel(shape)), shape);
    }

    // ------------------------------------------------------------------ comparisons

    static boolean close(double expected, double actual, double rtol, double atol) {
        if (Double.isNaN(expected)) {
            return Double.isNaN(actual);
        }
        if (Double.isInfinite(expected)) {
            return expected == actual;
        }
        return Math.abs(expected - actual) <= atol + rtol * Math.abs(expected);
    }

    /** Asserts shape, dtype FLOAT32 and every value within {@code atol + rtol * |expected|}. */
    static void assertClose(Nd expected, Tensor actual, double rtol, double atol) {
        assertClose("", expected, actual, rtol, atol);
    }

    static void assertClose(String what, Nd expected, Tensor actual, double rtol, double atol) {
        assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
        assertEquals(DType.FLOAT32, actual.dtype(), what + " dtype");
        assertValues(what, expected.v(), actual.toFloatArray(), expected.shape(), rtol, atol);
    }

    static void assertClose(Nd expected, Tensor actual) {
        assertClose(expected, actual, RTOL, ATOL);
    }

    static void assertClose(String what, Nd expected, Tensor actual) {
        assertClose(what, expected, actual, RTOL, ATOL);
    }

    /**
     * Asserts every value within {@code atol + rtol * |expected|}; on a device that does not give the
     * CPU's bits the tolerances are widened to at least {@link TestDevice.Kind#REDUCTION}'s (see
     * {@link TestDevice#widen}).
     */
    static void assertValues(String what, double[] expected, float[] actual, int[] shape, double rtol0, double atol0) {
        TestDevice.Tolerance tol = TestDevice.widen(rtol0, atol0, TestDevice.Kind.REDUCTION);
        double rtol = tol.rtol();
        double atol = tol.atol();
        assertEquals(expected.length, actual.length, what + " element count");
        for (int i = 0; i < expected.length; i++) {
            if (!close(expected[i], actual[i], rtol, atol)) {
                fail(what + " element " + i + " " + Arrays.toString(Oracle.unravel(i, shape)) + " of shape "
                        + Arrays.toString(shape) + ": expected " + expected[i] + " but was " + actual[i]
                        + " (rtol " + rtol + ", atol " + atol + ")");
            }
        }
    }

    /**
     * Asserts that {@code actual} has {@code expected}'s shape and bits (+0 and -0 differ; every NaN
     * equals every NaN), naming {@code what}.
     */
    static void assertSameBits(String what, Tensor expected, Tensor actual) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        assertArrayEquals(expected.toFloatArray(), actual.toFloatArray(), what);
    }

    /** Asserts exact float values and the shape. */
    static void assertExact(float[] expected, int[] shape, Tensor actual) {
        assertArrayEquals(shape, actual.shape(), "shape");
        assertArrayEquals(expected, actual.toFloatArray(), "values");
    }

    static void assertAllFinite(String what, Tensor t) {
        float[] v = t.toFloatArray();
        for (int i = 0; i < v.length; i++) {
            assertTrue(Float.isFinite(v[i]), what + ": element " + i + " is " + v[i]);
        }
    }

    // ------------------------------------------------------------------ errors

    /**
     * Asserts that {@code body} throws exactly an {@link IllegalArgumentException} (or subclass) and
     * that the message contains every fragment; returns the message.
     */
    static String assertIae(Executable body, String... fragments) {
        Throwable t = assertThrows(Throwable.class, body);
        if (!(t instanceof IllegalArgumentException)) {
            throw new AssertionError("expected IllegalArgumentException but got " + t, t);
        }
        String msg = String.valueOf(t.getMessage());
        for (String f : fragments) {
            assertTrue(msg.contains(f), "message '" + msg + "' does not contain '" + f + "'");
        }
        return msg;
    }
}
