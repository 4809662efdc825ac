package dev.tessera.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.GradCheck;
import dev.tessera.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** Binary cross-entropy, on logits (BCEWithLogitsLoss) and on probabilities (F.binaryCrossEntropy). */
class BCEWithLogitsLossTest {
    private static final float[] Z = {-2.5f, -0.3f, 0.8f, 3f, 1.2f, -1.1f};
    private static final float[] T = {0f, 1f, 1f, 0.25f, 0f, 0.6f};
    private static final float[] POS = {2f, 0.5f, 1f}; // broadcast along the last dimension of [2, 3]

    /** -(p t log s + (1 - t) log(1 - s)) with s = sigmoid(z), in double, written without the stable rewrite. */
    private static double bce(double z, double t, double p) {
        double s = 1 / (1 + Math.exp(-z));
        return -(p * t * Math.log(s) + (1 - t) * Math.log(1 - s));
    }

    private static void check(double[] per, Reduction r, Tensor out, double tol) {
        double sum = 0;
        float[] f = new float[per.length];
        for (int i = 0; i < per.length; i++) {
            sum += per[i];
            f[i] = (float) per[i];
        }
        switch (r) {
            case NONE -> assertArrayEquals(f, out.toFloatArray(), (float) tol);
            case SUM -> assertEquals(sum, out.item(), tol);
            case MEAN -> assertEquals(sum / per.length, out.item(), tol);
        }
    }

    @ParameterizedTest
    @EnumSource(Reduction.class)
    void logitsMatchOracle(Reduction r) {
        double[] per = new double[Z.length];
        for (int i = 0; i < Z.length; i++) {
            per[i] = bce(Z[i], T[i], 1);
        }
        check(per, r, F.binaryCrossEntropyWithLogits(Tensor.of(Z, 2, 3), Tensor.of(T, 2, 3), r), 1e-5);
        check(per, r, new BCEWithLogitsLoss(r).forward(Tensor.of(Z, 2, 3), Tensor.of(T, 2, 3)), 1e-5);
    }

    @ParameterizedTest
    @EnumSource(Reduction.class)
    void posWeightAndWeightMatchOracle(Reduction r) {
        float[] w = {0.5f, 2f};
        double[] per = new double[Z.length];
        for (int i = 0; i < Z.length; i++) {
            per[i] = bce(Z[i], T[i], POS[i % 3]) * w[i / 3];
        }
        Tensor weight = Tensor.of(w, 2, 1);
        Tensor pos = Tensor.of(POS);
        check(per, r, F.binaryCrossEntropyWithLogits(Tensor.of(Z, 2, 3), Tensor.of(T, 2, 3), weight, pos, r), 1e-5);
        BCEWithLogitsLoss loss = new BCEWithLogitsLoss(weight, pos, r);
        check(per, r, loss.forward(Tensor.of(Z, 2, 3), Tensor.of(T, 2, 3)), 1e-5);
        assertEquals(pos, loss.posWeight());
        assertEquals(weight, loss.weight());
    }

    @Test
    void stableAndExactForHugeLogits() {
        Tensor z = Tensor.of(new float[] {100f, 100f, -100f, -100f}).requiresGrad(true);
        Tensor t = Tensor.of(new float[] {1f, 0f, 1f, 0f});
        Tensor loss = F.binaryCrossEntropyWithLogits(z, t, Reduction.NONE);
        // log(1 + e^-100) ~ 3.7e-44: zero in any tolerance; the wrong-sign cases cost |z|.
        assertArrayEquals(new float[] {0f, 100f, 100f, 0f}, loss.toFloatArray(), 1e-6f);
        loss.sum().backward();
        // d/dz = sigmoid(z) - t
        assertArrayEquals(new float[] {0f, 1f, -1f, 0f}, z.grad().toFloatArray(), 1e-6f);
        Tensor weighted = F.binaryCrossEntropyWithLogits(Tensor.of(new float[] {-100f, 100f}), Tensor.of(new float[] {1f, 1f}),
                null, Tensor.of(new float[] {3f}), Reduction.NONE);
        assertArrayEquals(new float[] {300f, 0f}, weighted.toFloatArray(), 1e-4f);
    }

    @Test
    void logitGradientsMatchFiniteDifferences() {
        GradCheck.assertGradients(in -> F.binaryCrossEntropyWithLogits(in[0], in[1]), Tensor.of(Z, 2, 3), Tensor.of(T, 2, 3));
        GradCheck.assertGradients(in -> F.binaryCrossEntropyWithLogits(in[0], in[1], in[2], in[3], Reduction.SUM),
                Tensor.of(Z, 2, 3), Tensor.of(T, 2, 3), Tensor.of(new float[] {0.5f, 2f}, 2, 1), Tensor.of(POS));
    }

    @ParameterizedTest
    @EnumSource(Reduction.class)
    void probabilitiesMatchOracle(Reduction r) {
        float[] p = new float[Z.length];
        double[] per = new double[Z.length];
        for (int i = 0; i < Z.length; i++) {
            p[i] = (float) (1 / (1 + Math.exp(-Z[i])));
            per[i] = -(T[i] * Math.log(p[i]) + (1 - T[i]) * Math.log(1 - (double) p[i]));
        }
        check(per, r, F.binaryCrossEntropy(Tensor.of(p, 2, 3), Tensor.of(T, 2, 3), r), 1e-5);
        double[] weighted = per.clone();
        for (int i = 0; i < per.length; i++) {
            weighted[i] *= 1 + i;
        }
        Tensor w = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        check(weighted, r, F.binaryCrossEntropy(Tensor.of(p, 2, 3), Tensor.of(T, 2, 3), w, r), 1e-4);
    }

    @Test
    void probabilityLogsAreClampedAtMinus100WithFiniteGradients() {
        Tensor p = Tensor.of(new float[] {0f, 1f, 0f, 1f}).requiresGrad(true);
        Tensor t = Tensor.of(new float[] {1f, 0f, 0f, 1f});
        Tensor loss = F.binaryCrossEntropy(p, t, Reduction.NONE);
        assertArrayEquals(new float[] {100f, 100f, 0f, 0f}, loss.toFloatArray(), 1e-6f);
        loss.sum().backward();
        for (float g : p.grad().toFloatArray()) {
            assertTrue(Float.isFinite(g), "gradient " + g);
        }
        // PyTorch's value at p = 0, t = 1: -1 / max(p (1 - p), 1e-12) = -1e12.
        assertEquals(-1e12f, p.grad().toFloatArray()[0], 1e6f);
        assertEquals(100f, F.binaryCrossEntropy(p, t).item() * 2, 1e-4f);
    }

    @Test
    void probabilityGradientsMatchFiniteDifferences() {
        Tensor p = Tensor.of(new float[] {0.2f, 0.45f, 0.7f, 0.9f, 0.35f, 0.6f}, 2, 3);
        // Targets kept inside (0, 1) by more than the check's step, so that t +- eps stays a valid target.
        Tensor t = Tensor.of(new float[] {0.05f, 0.95f, 0.9f, 0.25f, 0.1f, 0.6f}, 2, 3);
        GradCheck.assertGradients(in -> F.binaryCrossEntropy(in[0], in[1]), p, t);
    }

    /** Values outside [0, 1], and NaN, as PyTorch rejects them: in the input (probabilities) or in the target. */
    @ParameterizedTest
    @CsvSource({"input, 1.5", "input, -0.2", "input, -1e-30", "input, 1.0000001", "input, NaN", "input, Infinity",
        "target, 2", "target, -1", "target, NaN"})
    void probabilitiesOutsideZeroOneAreRejected(String which, float bad) {
        float[] good = {0.2f, 0f, 1f, 0.6f};
        float[] wrong = good.clone();
        wrong[3] = bad;
        boolean input = which.equals("input");
        Tensor p = Tensor.of(input ? wrong : good, 2, 2);
        Tensor t = Tensor.of(input ? good : wrong, 2, 2);
        for (Reduction r : Reduction.values()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> F.binaryCrossEntropy(p, t, r));
            assertTrue(e.getMessage().startsWith("binaryCrossEntropy: all elements of " + which + " must be between 0 and 1, got "
                    + bad + " at flat position 3 of " + which + " [2, 2]"), e.getMessage());
        }
        // The check runs with gradients enabled too, and on a non-contiguous view.
        Tensor pt = (input ? p : t).t().requiresGrad(true);
        Tensor other = (input ? t : p).t();
        assertThrows(IllegalArgumentException.class, () -> F.binaryCrossEntropy(input ? pt : other, input ? other : pt));
    }

    @Test
    void probabilityBoundsAndEmptyTensorsAreAccepted() {
        Tensor p = Tensor.of(new float[] {0f, 1f, -0f, 0.5f});
        assertTrue(Float.isFinite(F.binaryCrossEntropy(p, Tensor.of(new float[] {1f, 0f, 0f, 1f})).item()));
        assertArrayEquals(new int[] {0}, F.binaryCrossEntropy(Tensor.zeros(0), Tensor.zeros(0), Reduction.NONE).shape());
    }

    @Test
    void rejectsMismatchedShapesAndWeights() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> F.binaryCrossEntropyWithLogits(Tensor.zeros(3), Tensor.zeros(3, 1)));
        assertTrue(e.getMessage().startsWith("binaryCrossEntropyWithLogits: input shape [3] and target shape [3, 1] differ"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> F.binaryCrossEntropyWithLogits(Tensor.zeros(2, 3),
                Tensor.zeros(2, 3), null, Tensor.ones(2), Reduction.MEAN));
        assertEquals("binaryCrossEntropyWithLogits: posWeight of shape [2] does not broadcast to the input shape [2, 3]",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> F.binaryCrossEntropy(Tensor.zeros(2, 3),
                Tensor.zeros(2, 3), Tensor.ones(2, 3, 1), Reduction.MEAN));
        assertTrue(e.getMessage().contains("weight of shape [2, 3, 1] does not broadcast"), e.getMessage());
    }
}
