package dev.tessera.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.tessera.GradMode;
import dev.tessera.Generator;
import dev.tessera.Tensor;
import java.util.Map;

/** Helpers shared by the nn tests: finite-difference checks of a module's parameter gradients, random data. */
final class NnTestUtil {
    private static final double EPS = 1e-2;
    private static final double ATOL = 5e-3;
    private static final double RTOL = 1e-2;

    private NnTestUtil() {
    }

    /** A tensor of {@code shape} with values uniform in {@code [lo, hi)} from a fixed seed. */
    static Tensor uniform(long seed, float lo, float hi, int... shape) {
        return Tensor.rand(new Generator(seed), shape).mul(hi - lo).add(lo);
    }

    /**
     * Checks d(sum(module(input) * w))/d(param) from autograd against central differences for
     * every parameter of {@code module}, perturbing each parameter element in place and restoring it.
     */
    static void assertParameterGradients(Module module, Tensor input) {
        Tensor probe;
        try (GradMode ignored = Tensor.noGrad()) {
            probe = module.forward(input);
        }
        float[] w = Tensor.rand(new Generator(77), probe.shape()).add(0.5f).toFloatArray();
        module.zeroGrad();
        module.forward(input).mul(Tensor.of(w, probe.shape())).sum().backward();
        for (Map.Entry<String, Tensor> e : module.namedParameters().entrySet()) {
            Tensor p = e.getValue();
            assertNotNull(p.grad(), "no gradient for " + e.getKey());
            float[] analytic = p.grad().toFloatArray();
            float[] values = p.toFloatArray();
            for (int j = 0; j < values.length; j++) {
                float saved = values[j];
                values[j] = (float) (saved + EPS);
                double plus = loss(module, input, p, values, w);
                values[j] = (float) (saved - EPS);
                double minus = loss(module, input, p, values, w);
                values[j] = saved;
                set(p, values);
                double numeric = (plus - minus) / (2 * EPS);
                double err = Math.abs(analytic[j] - numeric);
                if (!(err <= ATOL + RTOL * Math.abs(numeric))) {
                    throw new AssertionError("gradient of " + e.getKey() + " element " + j + ": analytic " + analytic[j]
                            + ", numeric " + numeric);
                }
            }
        }
        module.zeroGrad();
    }

    private static double loss(Module module, Tensor input, Tensor p, float[] values, float[] w) {
        set(p, values);
        float[] y;
        try (GradMode ignored = Tensor.noGrad()) {
            y = module.forward(input).toFloatArray();
        }
        double s = 0;
        for (int i = 0; i < y.length; i++) {
            s += (double) y[i] * w[i];
        }
        return s;
    }

    private static void set(Tensor p, float[] values) {
        try (GradMode ignored = Tensor.noGrad()) {
            p.copyFrom(Tensor.of(values, p.shape()));
        }
    }

    /** Asserts shape and values within {@code tol}. */
    static void assertClose(double[] expected, Tensor actual, double tol, int... shape) {
        assertArrayEquals(shape, actual.shape(), "shape");
        float[] a = actual.toFloatArray();
        assertEquals(expected.length, a.length, "element count");
        for (int i = 0; i < a.length; i++) {
            assertEquals(expected[i], a[i], tol, "element " + i);
        }
    }
}
