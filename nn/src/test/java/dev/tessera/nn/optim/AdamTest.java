package dev.tessera.nn.optim;

import static dev.tessera.nn.optim.SGDTest.GRADS;
import static dev.tessera.nn.optim.SGDTest.P0;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Adam and AdamW. */
class AdamTest {
    /** PyTorch's Adam / AdamW written out in double precision. */
    static double[] reference(double lr, double b1, double b2, double eps, double wd, boolean amsgrad, boolean decoupled,
            int steps) {
        int n = P0.length;
        double[] p = new double[n];
        double[] m = new double[n];
        double[] v = new double[n];
        double[] vmax = new double[n];
        for (int i = 0; i < n; i++) {
            p[i] = P0[i];
        }
        for (int t = 1; t <= steps; t++) {
            for (int i = 0; i < n; i++) {
                double g = GRADS[t - 1][i];
                if (decoupled) {
                    p[i] *= 1 - lr * wd;
                } else {
                    g += wd * p[i];
                }
                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                vmax[i] = Math.max(vmax[i], v[i]);
                double second = amsgrad ? vmax[i] : v[i];
                double denom = Math.sqrt(second) / Math.sqrt(1 - Math.pow(b2, t)) + eps;
                p[i] -= lr / (1 - Math.pow(b1, t)) * m[i] / denom;
            }
        }
        return p;
    }

    @Test
    void firstStepMovesEachElementByLrAgainstTheGradientSign() {
        // Bias correction makes m_hat = g and v_hat = g^2 at step 1: the update is lr * g / (|g| + eps).
        Tensor p = SGDTest.param();
        SGDTest.run(new Adam(List.of(p), 0.1f), p, 1);
        assertArrayEquals(new float[] {0.9f, -1.9f, 0.4f}, p.toFloatArray(), 1e-6f);
    }

    @Test
    void adamWFirstStepDecaysTheParameterBeforeTheUpdate() {
        // p = p * (1 - 0.1 * 0.5) - 0.1 * sign(g)
        Tensor p = SGDTest.param();
        SGDTest.run(new AdamW(List.of(p), 0.1f, 0.5f), p, 1);
        assertArrayEquals(new float[] {0.95f - 0.1f, -1.9f + 0.1f, 0.475f - 0.1f}, p.toFloatArray(), 1e-6f);
    }

    @ParameterizedTest
    @CsvSource({
        "0.01, 0.9, 0.999, 1e-8, 0, false", "0.1, 0.9, 0.999, 1e-8, 0.1, false", "0.05, 0.8, 0.5, 1e-8, 0, true",
        "0.05, 0.5, 0.6, 0.1, 0.2, true", "0.001, 0, 0.9, 1e-6, 0, false"})
    void adamMatchesPyTorchsFormulaOverThreeSteps(float lr, float b1, float b2, float eps, float wd, boolean amsgrad) {
        Tensor p = SGDTest.param();
        SGDTest.run(new Adam(List.of(p), lr, b1, b2, eps, wd, amsgrad), p, 3);
        SGDTest.assertClose(reference(lr, b1, b2, eps, wd, amsgrad, false, 3), p.toFloatArray());
    }

    @ParameterizedTest
    @CsvSource({"0.01, 0.9, 0.999, 1e-8, 0.01, false", "0.1, 0.9, 0.999, 1e-8, 0.5, false", "0.05, 0.8, 0.5, 1e-8, 0.1, true"})
    void adamWMatchesPyTorchsFormulaOverThreeSteps(float lr, float b1, float b2, float eps, float wd, boolean amsgrad) {
        Tensor p = SGDTest.param();
        SGDTest.run(new AdamW(List.of(p), lr, b1, b2, eps, wd, amsgrad), p, 3);
        SGDTest.assertClose(reference(lr, b1, b2, eps, wd, amsgrad, true, 3), p.toFloatArray());
    }

    @Test
    void amsgradDiffersWhenTheSecondMomentShrinks() {
        Tensor a = SGDTest.param();
        Tensor b = SGDTest.param();
        SGDTest.run(new Adam(List.of(a), 0.05f, 0.8f, 0.5f, 1e-8f, 0f, false), a, 3);
        SGDTest.run(new Adam(List.of(b), 0.05f, 0.8f, 0.5f, 1e-8f, 0f, true), b, 3);
        assertTrue(Math.abs(a.toFloatArray()[2] - b.toFloatArray()[2]) > 1e-3, "beta2 0.5 and a shrinking gradient");
    }

    @Test
    void adamWDefaultsToWeightDecay001AndAdamToNone() {
        Adam adam = new Adam(List.of(SGDTest.param()), 1e-3f);
        AdamW adamW = new AdamW(List.of(SGDTest.param()), 1e-3f);
        assertEquals(0f, adam.paramGroups().get(0).weightDecay());
        assertEquals(0.01f, adamW.paramGroups().get(0).weightDecay());
        assertEquals("AdamW", adamW.name());
        assertEquals(0.01f, (float) AdamW.options().toMap().get(ParamGroup.WEIGHT_DECAY).doubleValue());
    }

    @Test
    void twoGroupsWithDifferentLearningRates() {
        Tensor a = SGDTest.param();
        Tensor b = SGDTest.param();
        Adam opt = new Adam(List.of(new ParamGroup(List.of(a), 0.1f), new ParamGroup(List.of(b))),
                new Adam.Options().lr(0.01f).betas(0.8f, 0.9f));
        for (int s = 0; s < 2; s++) {
            a.setGrad(Tensor.of(GRADS[s].clone()));
            b.setGrad(Tensor.of(GRADS[s].clone()));
            opt.step();
        }
        SGDTest.assertClose(reference(0.1, 0.8, 0.9, 1e-8, 0, false, false, 2), a.toFloatArray());
        SGDTest.assertClose(reference(0.01, 0.8, 0.9, 1e-8, 0, false, false, 2), b.toFloatArray());
    }

    @Test
    void validatesArguments() {
        List<Tensor> ps = List.of(SGDTest.param());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Adam(ps, 0.1f, 1f, 0.999f, 1e-8f, 0f, false));
        assertEquals("Adam: beta1 must be in [0, 1), got 1.0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new AdamW(ps, 0.1f, 0.9f, 0.999f, -1f, 0f, false));
        assertEquals("AdamW: eps must be >= 0, got -1.0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new AdamW(ps, Float.NaN));
        assertEquals("AdamW: lr must be >= 0, got NaN", e.getMessage());
    }
}
