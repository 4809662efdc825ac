package dev.tessera.nn.models;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.tessera.Generator;
import dev.tessera.GradMode;
import dev.tessera.Tensor;
import dev.tessera.nn.Module;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Checks a module's parameter gradients from autograd against central finite differences of
 * {@code L = sum(f() * w)} (fixed random weights {@code w}, accumulated in double precision), for
 * every element of every parameter, perturbing each in place and restoring it.
 */
final class ParameterGradCheck {
    private static final double EPS = 1e-2;
    private static final double ATOL = 5e-3;
    private static final double RTOL = 1e-2;

    private ParameterGradCheck() {
    }

    /** Checks the gradients of every parameter of {@code module} for the output of {@code f}. */
    static void assertParameterGradients(Module module, Supplier<Tensor> f) {
        Tensor probe;
        try (GradMode ignored = Tensor.noGrad()) {
            probe = f.get();
        }
        float[] w = Tensor.rand(new Generator(77), probe.shape()).add(0.5f).toFloatArray();
        module.zeroGrad();
        f.get().mul(Tensor.of(w, probe.shape())).sum().backward();
        for (Map.Entry<String, Tensor> e : module.namedParameters().entrySet()) {
            Tensor p = e.getValue();
            assertNotNull(p.grad(), "no gradient for " + e.getKey());
            float[] analytic = p.grad().toFloatArray();
            float[] values = p.toFloatArray();
            for (int j = 0; j < values.length; j++) {
                float saved = values[j];
                values[j] = (float) (saved + EPS);
                double plus = loss(f, p, values, w);
                values[j] = (float) (saved - EPS);
                double minus = loss(f, p, values, w);
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

    private static double loss(Supplier<Tensor> f, Tensor p, float[] values, float[] w) {
        set(p, values);
        float[] y;
        try (GradMode ignored = Tensor.noGrad()) {
            y = f.get().toFloatArray();
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
}
