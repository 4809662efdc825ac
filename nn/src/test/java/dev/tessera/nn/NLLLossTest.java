package dev.tessera.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.GradCheck;
import dev.tessera.Generator;
import dev.tessera.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class NLLLossTest {
    private static Tensor logProbs(long seed, int... shape) {
        return Tensor.randn(new Generator(seed), shape).logSoftmax(1);
    }

    @ParameterizedTest
    @EnumSource(Reduction.class)
    void picksTheNegatedLogProbabilityOfEachTarget(Reduction r) {
        Tensor lp = logProbs(1, 3, 4);
        float[] v = lp.toFloatArray();
        int[] t = {3, 0, -100};
        double[] per = {-v[3], -v[4], 0};
        Tensor out = new NLLLoss(r).forward(lp, Tensor.ofInts(t, 3));
        switch (r) {
            case NONE -> assertArrayEquals(new float[] {(float) per[0], (float) per[1], 0f}, out.toFloatArray(), 1e-6f);
            case SUM -> assertEquals(per[0] + per[1], out.item(), 1e-5);
            case MEAN -> assertEquals((per[0] + per[1]) / 2, out.item(), 1e-5);
        }
    }

    @Test
    void weightedMeanDividesByTheWeightsOfTheCountedTargets() {
        Tensor lp = logProbs(2, 4, 3, 2);
        float[] v = lp.toFloatArray();
        int[] t = {0, 2, 1, 1, 2, 7, 0, 0};
        double[] w = {2, 0.5, 3};
        double sum = 0;
        double denom = 0;
        for (int i = 0; i < 4; i++) {
            for (int k = 0; k < 2; k++) {
                int c = t[i * 2 + k];
                if (c == 7) {
                    continue;
                }
                sum += -w[c] * v[(i * 3 + c) * 2 + k];
                denom += w[c];
            }
        }
        Tensor weight = Tensor.of(new float[] {2f, 0.5f, 3f});
        NLLLoss loss = new NLLLoss(weight, Reduction.MEAN, 7);
        assertEquals(sum / denom, loss.forward(lp, Tensor.ofInts(t, 4, 2)).item(), 1e-5);
        assertEquals(sum, F.nllLoss(lp, Tensor.ofInts(t, 4, 2), weight, Reduction.SUM, 7).item(), 1e-5);
        assertEquals(7, loss.ignoreIndex());
        assertEquals(weight, loss.weight());
    }

    @Test
    void minusInfinityAtAnIgnoredTargetDoesNotLeakIn() {
        Tensor lp = Tensor.of(new float[] {Float.NEGATIVE_INFINITY, -0.5f, -1f, -2f}, 2, 2);
        Tensor t = Tensor.ofInts(new int[] {-100, 1}, 2);
        assertEquals(2f, F.nllLoss(lp, t).item(), 1e-6);
        assertArrayEquals(new float[] {0f, 2f}, F.nllLoss(lp, t, Reduction.NONE).toFloatArray());
    }

    @Test
    void defaultsAreMeanAndMinus100() {
        NLLLoss loss = new NLLLoss();
        assertEquals(Reduction.MEAN, loss.reduction());
        assertEquals(-100, loss.ignoreIndex());
        assertNull(loss.weight());
        Tensor lp = logProbs(3, 2, 3);
        Tensor t = Tensor.ofInts(new int[] {2, -100}, 2);
        assertEquals(-lp.toFloatArray()[2], loss.forward(lp, t).item(), 1e-6);
        assertEquals(new NLLLoss(Reduction.MEAN, -100).forward(lp, t).item(), F.nllLoss(lp, t).item());
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        Tensor t = Tensor.ofInts(new int[] {1, -100, 0, 2}, 4);
        GradCheck.assertGradients(in -> F.nllLoss(in[0], t), Tensor.randn(new Generator(4), 4, 3));
        Tensor w = Tensor.of(new float[] {1.5f, 0.5f, 2f});
        GradCheck.assertGradients(in -> F.nllLoss(in[0], t, w, Reduction.MEAN, -100), Tensor.randn(new Generator(5), 4, 3));
    }

    @Test
    void rejectsBadInputs() {
        Tensor lp = logProbs(6, 2, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> F.nllLoss(lp, Tensor.ofInts(new int[] {0, 3}, 2)));
        assertTrue(e.getMessage().startsWith("nllLoss: target 3 ") && e.getMessage().contains("[0, 3)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> F.nllLoss(Tensor.ofInts(new int[] {1, 2}, 1, 2), Tensor.ofInts(new int[] {0}, 1)));
        assertTrue(e.getMessage().contains("input must be FLOAT32"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new NLLLoss(Tensor.ones(2, 2), Reduction.MEAN, -100));
        assertTrue(e.getMessage().contains("class weight must have shape [C]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> F.nllLoss(Tensor.zeros(3), Tensor.ofInts(new int[] {0}, 1)));
        assertTrue(e.getMessage().contains("needs a 0-d target"), e.getMessage());
    }
}
