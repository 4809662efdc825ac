package dev.tessera.nn.optim;

import static dev.tessera.nn.optim.SGDTest.GRADS;
import static dev.tessera.nn.optim.SGDTest.P0;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tessera.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RMSpropTest {
    /** PyTorch's RMSprop written out in double precision. */
    static double[] reference(double lr, double alpha, double eps, double wd, double momentum, boolean centered, int steps) {
        int n = P0.length;
        double[] p = new double[n];
        double[] v = new double[n];
        double[] a = new double[n];
        double[] b = new double[n];
        for (int i = 0; i < n; i++) {
            p[i] = P0[i];
        }
        for (int s = 0; s < steps; s++) {
            for (int i = 0; i < n; i++) {
                double g = GRADS[s][i] + wd * p[i];
                v[i] = alpha * v[i] + (1 - alpha) * g * g;
                double avg;
                if (centered) {
                    a[i] = alpha * a[i] + (1 - alpha) * g;
                    avg = Math.sqrt(v[i] - a[i] * a[i]) + eps;
                } else {
                    avg = Math.sqrt(v[i]) + eps;
                }
                if (momentum > 0) {
                    b[i] = momentum * b[i] + g / avg;
                    p[i] -= lr * b[i];
                } else {
                    p[i] -= lr * g / avg;
                }
            }
        }
        return p;
    }

    @Test
    void firstStepByHand() {
        // v = 0.01 g^2, so g / sqrt(v) = 10 sign(g): p = p - 0.01 * 10 * sign(g)
        Tensor p = SGDTest.param();
        SGDTest.run(new RMSprop(List.of(p), 0.01f), p, 1);
        assertArrayEquals(new float[] {0.9f, -1.9f, 0.4f}, p.toFloatArray(), 1e-5f);
    }

    @Test
    void centeredFirstStepByHand() {
        // v - a^2 = 0.01 g^2 - 0.0001 g^2 = 0.0099 g^2: the step is lr / sqrt(0.0099) = 0.01 * 10.0504 per unit sign
        Tensor p = SGDTest.param();
        SGDTest.run(new RMSprop(List.of(p), 0.01f, 0.99f, 1e-8f, 0f, 0f, true), p, 1);
        assertEquals(1 - 0.01 / Math.sqrt(0.0099), p.toFloatArray()[0], 1e-6);
    }

    @ParameterizedTest
    @CsvSource({
        "0.01, 0.99, 1e-8, 0, 0, false", "0.01, 0.9, 1e-8, 0, 0, true", "0.005, 0.9, 1e-8, 0, 0.9, false",
        "0.005, 0.8, 1e-3, 0.1, 0.5, true", "0.02, 0.5, 1e-8, 0.01, 0, false"})
    void matchesPyTorchsFormulaOverThreeSteps(float lr, float alpha, float eps, float wd, float momentum, boolean centered) {
        Tensor p = SGDTest.param();
        SGDTest.run(new RMSprop(List.of(p), lr, alpha, eps, wd, momentum, centered), p, 3);
        SGDTest.assertClose(reference(lr, alpha, eps, wd, momentum, centered, 3), p.toFloatArray());
    }

    @Test
    void groupsAndDefaults() {
        Tensor a = SGDTest.param();
        Tensor b = SGDTest.param();
        RMSprop opt = new RMSprop(List.of(new ParamGroup(List.of(a)), new ParamGroup(List.of(b), 0.001f)
                .set(RMSprop.CENTERED, true)), new RMSprop.Options().momentum(0.5f));
        for (int s = 0; s < 3; s++) {
            a.setGrad(Tensor.of(GRADS[s].clone()));
            b.setGrad(Tensor.of(GRADS[s].clone()));
            opt.step();
        }
        SGDTest.assertClose(reference(0.01, 0.99, 1e-8, 0, 0.5, false, 3), a.toFloatArray());
        SGDTest.assertClose(reference(0.001, 0.99, 1e-8, 0, 0.5, true, 3), b.toFloatArray());
    }

    @Test
    void validatesArguments() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RMSprop(List.of(SGDTest.param()), 0.01f, -0.1f, 1e-8f, 0f, 0f, false));
        assertEquals("RMSprop: alpha must be >= 0, got -0.1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new RMSprop(List.of(SGDTest.param()), 0.01f, 0.99f, 1e-8f, 0f, -1f, false));
        assertEquals("RMSprop: momentum must be >= 0, got -1.0", e.getMessage());
    }

    @Test
    void theStateCountsSteps() {
        Tensor p = SGDTest.param();
        RMSprop opt = new RMSprop(List.of(p), 0.01f);
        SGDTest.run(opt, p, 3);
        assertEquals(3.0, opt.stateDict().scalars().get("state.0.step"));
    }
}
