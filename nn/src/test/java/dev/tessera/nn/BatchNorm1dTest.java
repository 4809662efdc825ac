package dev.tessera.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.GradCheck;
import dev.tessera.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchNorm1dTest {
    private static final double EPS = 1e-5;

    /** Per-channel statistics of x [n, c, l] over n and l: {mean, biased var, unbiased var}. */
    private static double[][] stats(float[] x, int n, int c, int l) {
        double[][] s = new double[3][c];
        for (int ch = 0; ch < c; ch++) {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < l; k++) {
                    sum += x[(i * c + ch) * l + k];
                }
            }
            double mean = sum / (n * l);
            double sq = 0;
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < l; k++) {
                    double d = x[(i * c + ch) * l + k] - mean;
                    sq += d * d;
                }
            }
            s[0][ch] = mean;
            s[1][ch] = sq / (n * l);
            s[2][ch] = sq / (n * l - 1);
        }
        return s;
    }

    /** (x - mean) / sqrt(var + eps) * w + b per channel, in double. */
    private static double[] normalise(float[] x, int n, int c, int l, double[] mean, double[] var, float[] w, float[] b) {
        double[] y = new double[x.length];
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                for (int k = 0; k < l; k++) {
                    int p = (i * c + ch) * l + k;
                    y[p] = (x[p] - mean[ch]) / Math.sqrt(var[ch] + EPS) * w[ch] + b[ch];
                }
            }
        }
        return y;
    }

    private static BatchNorm1d withAffine(int c) {
        BatchNorm1d bn = new BatchNorm1d(c);
        Init.uniform(bn.weight(), 0.5, 1.5, new dev.tessera.Generator(1));
        Init.uniform(bn.bias(), -0.5, 0.5, new dev.tessera.Generator(2));
        return bn;
    }

    @Test
    void stateNamedLikePyTorch() {
        BatchNorm1d bn = new BatchNorm1d(3);
        assertEquals(List.of("weight", "bias", "running_mean", "running_var", "num_batches_tracked"),
                List.copyOf(bn.stateDict().keySet()));
        assertArrayEquals(new float[] {1, 1, 1}, bn.weight().toFloatArray());
        assertArrayEquals(new float[] {0, 0, 0}, bn.bias().toFloatArray());
        assertArrayEquals(new float[] {1, 1, 1}, bn.runningVar().toFloatArray());
        assertEquals(0.1, bn.momentum(), 0);
        assertEquals(1e-5, bn.eps(), 0);
        assertEquals("BatchNorm1d(3, eps=1.0E-5, momentum=0.1, affine=true, trackRunningStats=true)", bn.toString());
    }

    @Test
    void handValuesOneBatch() {
        BatchNorm1d bn = new BatchNorm1d(2);
        // Channel 0: {1, 3}: mean 2, biased var 1, unbiased 2. Channel 1: {2, 6}: mean 4, var 4, unbiased 8.
        Tensor y = bn.forward(Tensor.of(new float[] {1, 2, 3, 6}, 2, 2));
        double s0 = 1 / Math.sqrt(1 + EPS);
        double s1 = 2 / Math.sqrt(4 + EPS);
        NnTestUtil.assertClose(new double[] {-s0, -s1, s0, s1}, y, 1e-6, 2, 2);
        assertArrayEquals(new float[] {0.2f, 0.4f}, bn.runningMean().toFloatArray(), 1e-6f);
        assertArrayEquals(new float[] {1.1f, 1.7f}, bn.runningVar().toFloatArray(), 1e-6f);
        assertEquals(1, bn.numBatchesTracked().toIntArray()[0]);
    }

    @Test
    void trainOutputAndRunningStatsOverTwoBatches() {
        int n = 5;
        int c = 3;
        BatchNorm1d bn = withAffine(c);
        Tensor x1 = NnTestUtil.uniform(3, -2, 2, n, c);
        Tensor x2 = NnTestUtil.uniform(4, 0, 3, n, c);
        float[] w = bn.weight().toFloatArray();
        float[] b = bn.bias().toFloatArray();
        double[][] s1 = stats(x1.toFloatArray(), n, c, 1);
        NnTestUtil.assertClose(normalise(x1.toFloatArray(), n, c, 1, s1[0], s1[1], w, b), bn.forward(x1), 1e-5, n, c);
        double[][] s2 = stats(x2.toFloatArray(), n, c, 1);
        NnTestUtil.assertClose(normalise(x2.toFloatArray(), n, c, 1, s2[0], s2[1], w, b), bn.forward(x2), 1e-5, n, c);
        double[] rm = new double[c];
        double[] rv = new double[c];
        for (int ch = 0; ch < c; ch++) {
            rm[ch] = 0.9 * (0.1 * s1[0][ch]) + 0.1 * s2[0][ch];
            rv[ch] = 0.9 * (0.9 + 0.1 * s1[2][ch]) + 0.1 * s2[2][ch];
        }
        NnTestUtil.assertClose(rm, bn.runningMean(), 1e-6, c);
        NnTestUtil.assertClose(rv, bn.runningVar(), 1e-6, c);
        assertEquals(2, bn.numBatchesTracked().toIntArray()[0]);

        // Eval: running statistics, no update.
        bn.eval();
        Tensor x3 = NnTestUtil.uniform(5, -1, 1, 2, c);
        NnTestUtil.assertClose(normalise(x3.toFloatArray(), 2, c, 1, rm, rv, w, b), bn.forward(x3), 1e-5, 2, c);
        NnTestUtil.assertClose(rm, bn.runningMean(), 1e-6, c);
        assertEquals(2, bn.numBatchesTracked().toIntArray()[0]);
    }

    @Test
    void threeDimensionalInput() {
        int n = 2;
        int c = 3;
        int l = 4;
        BatchNorm1d bn = withAffine(c);
        Tensor x = NnTestUtil.uniform(6, -1, 2, n, c, l);
        double[][] s = stats(x.toFloatArray(), n, c, l);
        NnTestUtil.assertClose(normalise(x.toFloatArray(), n, c, l, s[0], s[1], bn.weight().toFloatArray(),
                bn.bias().toFloatArray()), bn.forward(x), 1e-5, n, c, l);
        double[] rv = new double[c];
        for (int ch = 0; ch < c; ch++) {
            rv[ch] = 0.9 + 0.1 * s[2][ch];
        }
        NnTestUtil.assertClose(rv, bn.runningVar(), 1e-6, c);
        bn.eval();
        double[] rm = new double[c];
        for (int ch = 0; ch < c; ch++) {
            rm[ch] = 0.1 * s[0][ch];
        }
        NnTestUtil.assertClose(normalise(x.toFloatArray(), n, c, l, rm, rv, bn.weight().toFloatArray(),
                bn.bias().toFloatArray()), bn.forward(x), 1e-5, n, c, l);
    }

    @Test
    void cumulativeAverageWithoutMomentum() {
        BatchNorm1d bn = new BatchNorm1d(1, 1e-5, null, true, true);
        bn.forward(Tensor.of(new float[] {0, 2}, 2, 1)); // mean 1
        bn.forward(Tensor.of(new float[] {4, 6}, 2, 1)); // mean 5
        assertArrayEquals(new float[] {3}, bn.runningMean().toFloatArray(), 1e-6f);
        assertArrayEquals(new float[] {2}, bn.runningVar().toFloatArray(), 1e-6f);
    }

    @Test
    void withoutAffineOrRunningStats() {
        BatchNorm1d bn = new BatchNorm1d(2, 1e-5, 0.1, false, false);
        assertTrue(bn.stateDict().isEmpty());
        assertNull(bn.weight());
        assertNull(bn.runningMean());
        bn.eval();
        Tensor y = bn.forward(Tensor.of(new float[] {1, 2, 3, 6}, 2, 2));
        double s0 = 1 / Math.sqrt(1 + EPS);
        double s1 = 2 / Math.sqrt(4 + EPS);
        NnTestUtil.assertClose(new double[] {-s0, -s1, s0, s1}, y, 1e-6, 2, 2);
    }

    @Test
    void gradientsInTrainAndEvalMode() {
        BatchNorm1d bn = withAffine(3);
        Tensor x = NnTestUtil.uniform(7, -1, 1, 4, 3);
        GradCheck.assertGradients(t -> bn.forward(t[0]), x);
        NnTestUtil.assertParameterGradients(bn, x);
        Tensor x3 = NnTestUtil.uniform(8, -1, 1, 2, 3, 2);
        GradCheck.assertGradients(t -> bn.forward(t[0]), x3);
        bn.eval();
        GradCheck.assertGradients(t -> bn.forward(t[0]), x);
        NnTestUtil.assertParameterGradients(bn, x);
    }

    @Test
    void badInputsNameTheLayerAndShape() {
        BatchNorm1d bn = new BatchNorm1d(4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> bn.forward(Tensor.zeros(2, 3)));
        assertTrue(e.getMessage().contains("BatchNorm1d(4)") && e.getMessage().contains("[2, 3]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> bn.forward(Tensor.zeros(2, 4, 1, 1)));
        IllegalArgumentException one = assertThrows(IllegalArgumentException.class, () -> bn.forward(Tensor.zeros(1, 4)));
        assertTrue(one.getMessage().contains("more than 1 value"), one.getMessage());
        bn.eval();
        assertArrayEquals(new int[] {1, 4}, bn.forward(Tensor.zeros(1, 4)).shape());
        assertThrows(IllegalArgumentException.class, () -> new BatchNorm1d(0));
    }
}
