package dev.tessera.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.DType;
import dev.tessera.Generator;
import dev.tessera.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link BatchNorm2d}: per-channel statistics over N, H and W against a double loop, the running
 * statistics (momentum, unbiased variance, cumulative average), eval mode, the state names and
 * the input check.
 */
class BatchNorm2dTest {
    private static final double EPS = 1e-5;

    /** Per-channel {mean, biased var, unbiased var} of x [n, c, hw] over n and hw. */
    private static double[][] stats(float[] x, int n, int c, int hw) {
        double[][] s = new double[3][c];
        for (int ch = 0; ch < c; ch++) {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < hw; k++) {
                    sum += x[(i * c + ch) * hw + k];
                }
            }
            double mean = sum / (n * hw);
            double sq = 0;
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < hw; k++) {
                    double d = x[(i * c + ch) * hw + k] - mean;
                    sq += d * d;
                }
            }
            s[0][ch] = mean;
            s[1][ch] = sq / (n * hw);
            s[2][ch] = sq / (n * hw - 1);
        }
        return s;
    }

    private static double[] normalise(float[] x, int n, int c, int hw, double[] mean, double[] var, float[] w, float[] b) {
        double[] y = new double[x.length];
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                for (int k = 0; k < hw; k++) {
                    int p = (i * c + ch) * hw + k;
                    y[p] = (x[p] - mean[ch]) / Math.sqrt(var[ch] + EPS) * w[ch] + b[ch];
                }
            }
        }
        return y;
    }

    @Test
    void trainingUsesBatchStatisticsAndUpdatesRunningOnes() {
        BatchNorm2d bn = new BatchNorm2d(3);
        Init.uniform(bn.weight(), 0.5, 1.5, new Generator(1));
        Init.uniform(bn.bias(), -0.5, 0.5, new Generator(2));
        Tensor x = NnTestUtil.uniform(3, -2, 3, 4, 3, 5, 6);
        float[] xv = x.toFloatArray();
        double[][] s = stats(xv, 4, 3, 30);
        Tensor y = bn.forward(x);
        NnTestUtil.assertClose(normalise(xv, 4, 3, 30, s[0], s[1], bn.weight().toFloatArray(), bn.bias().toFloatArray()), y,
                1e-4, 4, 3, 5, 6);
        double[] rm = new double[3];
        double[] rv = new double[3];
        for (int c = 0; c < 3; c++) {
            rm[c] = 0.9 * 0 + 0.1 * s[0][c];
            rv[c] = 0.9 * 1 + 0.1 * s[2][c];
        }
        NnTestUtil.assertClose(rm, bn.runningMean(), 1e-5, 3);
        NnTestUtil.assertClose(rv, bn.runningVar(), 1e-5, 3);
        assertEquals(1, bn.numBatchesTracked().toIntArray()[0]);

        // A second batch: running = 0.9 * running + 0.1 * batch.
        Tensor x2 = NnTestUtil.uniform(4, -1, 1, 4, 3, 5, 6);
        double[][] s2 = stats(x2.toFloatArray(), 4, 3, 30);
        bn.forward(x2);
        for (int c = 0; c < 3; c++) {
            rm[c] = 0.9 * rm[c] + 0.1 * s2[0][c];
            rv[c] = 0.9 * rv[c] + 0.1 * s2[2][c];
        }
        NnTestUtil.assertClose(rm, bn.runningMean(), 1e-5, 3);
        NnTestUtil.assertClose(rv, bn.runningVar(), 1e-5, 3);
        assertEquals(2, bn.numBatchesTracked().toIntArray()[0]);
    }

    @Test
    void evalUsesRunningStatisticsAndChangesNothing() {
        BatchNorm2d bn = new BatchNorm2d(2, 1e-5, 0.5);
        bn.forward(NnTestUtil.uniform(5, -1, 2, 3, 2, 4, 4));
        bn.eval();
        float[] mean = bn.runningMean().toFloatArray();
        float[] var = bn.runningVar().toFloatArray();
        Tensor x = NnTestUtil.uniform(6, -1, 1, 2, 2, 3, 3);
        double[] m = {mean[0], mean[1]};
        double[] v = {var[0], var[1]};
        NnTestUtil.assertClose(normalise(x.toFloatArray(), 2, 2, 9, m, v, new float[] {1, 1}, new float[] {0, 0}),
                bn.forward(x), 1e-5, 2, 2, 3, 3);
        assertArrayEquals(mean, bn.runningMean().toFloatArray());
        assertEquals(1, bn.numBatchesTracked().toIntArray()[0]);
    }

    @Test
    void cumulativeAverageWithNullMomentum() {
        BatchNorm2d bn = new BatchNorm2d(1, 1e-5, null, true, true);
        Tensor a = NnTestUtil.uniform(7, 0, 1, 2, 1, 3, 3);
        Tensor b = NnTestUtil.uniform(8, 2, 3, 2, 1, 3, 3);
        bn.forward(a);
        bn.forward(b);
        double ma = stats(a.toFloatArray(), 2, 1, 9)[0][0];
        double mb = stats(b.toFloatArray(), 2, 1, 9)[0][0];
        NnTestUtil.assertClose(new double[] {(ma + mb) / 2}, bn.runningMean(), 1e-5, 1);
    }

    @Test
    void stateNamesLikePyTorch() {
        BatchNorm2d bn = new BatchNorm2d(4);
        assertEquals(List.of("weight", "bias", "running_mean", "running_var", "num_batches_tracked"),
                List.copyOf(bn.stateDict().keySet()));
        assertEquals(DType.INT32, bn.stateDict().get("num_batches_tracked").dtype());
        assertEquals(0, bn.stateDict().get("num_batches_tracked").dim());
        assertEquals("BatchNorm2d(4, eps=1.0E-5, momentum=0.1, affine=true, trackRunningStats=true)", bn.toString());
    }

    @Test
    void parameterGradients() {
        BatchNorm2d bn = new BatchNorm2d(2);
        Init.uniform(bn.weight(), 0.5, 1.5, new Generator(9));
        NnTestUtil.assertParameterGradients(bn, NnTestUtil.uniform(10, -1, 1, 2, 2, 3, 3));
    }

    @Test
    void inputCheck() {
        BatchNorm2d bn = new BatchNorm2d(3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> bn.forward(Tensor.zeros(2, 3, 4)));
        assertTrue(e.getMessage().contains("BatchNorm2d(3)") && e.getMessage().contains("[2, 3, 4]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> bn.forward(Tensor.zeros(2, 4, 2, 2)));
        assertTrue(e.getMessage().contains("[2, 4, 2, 2]"), e.getMessage());
    }

    @Test
    void nonDefaultEpsAndMomentum() {
        // Inception's eps 0.001 and EfficientNet-B7's momentum 0.01: the running update and the eval-mode normalisation.
        BatchNorm2d bn = new BatchNorm2d(3, 1e-3, 0.01);
        assertEquals(1e-3, bn.eps());
        assertEquals(0.01, bn.momentum());
        Tensor x = NnTestUtil.uniform(12, -2, 3, 4, 3, 2, 5);
        float[] xs = x.toFloatArray();
        double[][] s = stats(xs, 4, 3, 10);
        bn.forward(x);
        float[] mean = bn.runningMean().toFloatArray();
        float[] var = bn.runningVar().toFloatArray();
        for (int c = 0; c < 3; c++) {
            assertEquals(0.01 * s[0][c], mean[c], 1e-6, "running mean " + c);
            assertEquals(0.99 + 0.01 * s[2][c], var[c], 1e-6, "running var " + c);
        }
        bn.eval();
        Tensor y = bn.forward(x);
        float[] w = bn.weight().toFloatArray();
        float[] b = bn.bias().toFloatArray();
        double[] expected = new double[xs.length];
        for (int p = 0; p < xs.length; p++) {
            int c = (p / 10) % 3;
            expected[p] = (xs[p] - mean[c]) / Math.sqrt(var[c] + 1e-3) * w[c] + b[c];
        }
        NnTestUtil.assertClose(expected, y, 1e-5, 4, 3, 2, 5);
    }
}
