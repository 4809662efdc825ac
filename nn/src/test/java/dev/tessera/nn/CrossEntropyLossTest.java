package dev.tessera.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.DType;
import dev.tessera.GradCheck;
import dev.tessera.Generator;
import dev.tessera.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class CrossEntropyLossTest {
    private static final int N = 4;
    private static final int C = 5;
    private static final int D = 3;

    /**
     * Double-precision oracle for [N, C, D] logits (D = 1 for plain [N, C]) and class targets:
     * per element (1 - s) * w[t] * (-logp[t]) + s / C * sum_c w_c * (-logp[c]), ignored targets 0.
     */
    private static double[] oracle(float[] x, int n, int c, int d, int[] t, double[] w, int ignore, double s) {
        double[] out = new double[n * d];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < d; k++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < c; j++) {
                    max = Math.max(max, x[(i * c + j) * d + k]);
                }
                double z = 0;
                for (int j = 0; j < c; j++) {
                    z += Math.exp(x[(i * c + j) * d + k] - max);
                }
                double lse = max + Math.log(z);
                int target = t[i * d + k];
                if (target == ignore) {
                    continue;
                }
                double smooth = 0;
                for (int j = 0; j < c; j++) {
                    smooth += (w == null ? 1 : w[j]) * (lse - x[(i * c + j) * d + k]);
                }
                double nll = (w == null ? 1 : w[target]) * (lse - x[(i * c + target) * d + k]);
                out[i * d + k] = (1 - s) * nll + s / c * smooth;
            }
        }
        return out;
    }

    private static double reduce(double[] per, int[] t, double[] w, int ignore, Reduction r) {
        double sum = 0;
        double denom = 0;
        for (int i = 0; i < per.length; i++) {
            sum += per[i];
            if (t[i] != ignore) {
                denom += w == null ? 1 : w[t[i]];
            }
        }
        return r == Reduction.SUM ? sum : sum / denom;
    }

    private static void assertClose(double[] expected, float[] actual, double tol) {
        assertEquals(expected.length, actual.length, "length");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tol * Math.max(1, Math.abs(expected[i])), "element " + i);
        }
    }

    private static Tensor logits(long seed, int... shape) {
        return Tensor.randn(new Generator(seed), shape).mul(2f);
    }

    @ParameterizedTest
    @EnumSource(Reduction.class)
    void matchesOracleForEveryReduction(Reduction r) {
        Tensor x = logits(1, N, C);
        int[] t = {0, 4, 2, 2};
        Tensor out = F.crossEntropy(x, Tensor.ofInts(t, N), r);
        double[] per = oracle(x.toFloatArray(), N, C, 1, t, null, -100, 0);
        if (r == Reduction.NONE) {
            assertArrayEquals(new int[] {N}, out.shape());
            assertClose(per, out.toFloatArray(), 1e-5);
        } else {
            assertEquals(0, out.dim());
            assertEquals(reduce(per, t, null, -100, r), out.item(), 1e-5);
        }
    }

    @ParameterizedTest
    @EnumSource(Reduction.class)
    void spatialInputsMatchOracle(Reduction r) {
        Tensor x = logits(2, N, C, D);
        int[] t = {0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1};
        Tensor out = F.crossEntropy(x, Tensor.ofInts(t, N, D), r);
        double[] per = oracle(x.toFloatArray(), N, C, D, t, null, -100, 0);
        if (r == Reduction.NONE) {
            assertArrayEquals(new int[] {N, D}, out.shape());
            assertClose(per, out.toFloatArray(), 1e-5);
        } else {
            assertEquals(reduce(per, t, null, -100, r), out.item(), 1e-5);
        }
    }

    @ParameterizedTest
    @CsvSource({"-100, MEAN, 0", "-100, SUM, 0", "-100, NONE, 0", "1, MEAN, 0", "-100, MEAN, 0.1", "3, NONE, 0.2",
        "-100, SUM, 0.25", "-1, MEAN, 1.0"})
    void ignoreIndexAndLabelSmoothingMatchPyTorchFormula(int ignore, Reduction r, float s) {
        Tensor x = logits(3, N, C);
        int[] t = {ignore, 4, 1, ignore == 1 ? 3 : 1};
        if (ignore == 3) {
            t = new int[] {3, 3, 0, 2};
        }
        Tensor out = F.crossEntropy(x, Tensor.ofInts(t, N), r, ignore, s);
        double[] per = oracle(x.toFloatArray(), N, C, 1, t, null, ignore, s);
        if (r == Reduction.NONE) {
            assertClose(per, out.toFloatArray(), 1e-5);
        } else {
            assertEquals(reduce(per, t, null, ignore, r), out.item(), 1e-5);
        }
    }

    @ParameterizedTest
    @CsvSource({"MEAN, 0", "SUM, 0", "NONE, 0", "MEAN, 0.3", "NONE, 0.3"})
    void classWeightsNormaliseTheMeanByTheirSum(Reduction r, float s) {
        Tensor x = logits(4, N, C, D);
        int[] t = {0, 1, -100, 3, 4, 0, 1, 2, 3, -100, 0, 4};
        double[] w = {0.5, 2, 1, 3, 0.25};
        Tensor weight = Tensor.of(new float[] {0.5f, 2, 1, 3, 0.25f});
        Tensor out = F.crossEntropy(x, Tensor.ofInts(t, N, D), weight, r, -100, s);
        double[] per = oracle(x.toFloatArray(), N, C, D, t, w, -100, s);
        if (r == Reduction.NONE) {
            assertClose(per, out.toFloatArray(), 1e-5);
        } else {
            assertEquals(reduce(per, t, w, -100, r), out.item(), 1e-5);
        }
        Tensor viaModule = new CrossEntropyLoss(weight, r, -100, s).forward(x, Tensor.ofInts(t, N, D));
        assertArrayEquals(out.toFloatArray(), viaModule.toFloatArray());
    }

    @ParameterizedTest
    @CsvSource({"MEAN, 0", "SUM, 0", "NONE, 0", "MEAN, 0.2"})
    void probabilityTargetsUseTheSmoothedDistribution(Reduction r, float s) {
        Tensor x = logits(5, N, C);
        Tensor p = Tensor.rand(new Generator(6), N, C).add(0.1f);
        p = p.div(p.sum(1, true));
        float[] xs = x.toFloatArray();
        float[] ps = p.toFloatArray();
        double[] per = new double[N];
        for (int i = 0; i < N; i++) {
            double max = Double.NEGATIVE_INFINITY;
            double z = 0;
            for (int j = 0; j < C; j++) {
                max = Math.max(max, xs[i * C + j]);
            }
            for (int j = 0; j < C; j++) {
                z += Math.exp(xs[i * C + j] - max);
            }
            for (int j = 0; j < C; j++) {
                double q = (1 - s) * ps[i * C + j] + s / C;
                per[i] += q * (max + Math.log(z) - xs[i * C + j]);
            }
        }
        Tensor out = F.crossEntropy(x, p, r, -100, s);
        if (r == Reduction.NONE) {
            assertClose(per, out.toFloatArray(), 1e-5);
        } else {
            double sum = Arrays.stream(per).sum();
            assertEquals(r == Reduction.SUM ? sum : sum / N, out.item(), 1e-5);
        }
    }

    @Test
    void unbatchedInputTakesAZeroDimensionalTarget() {
        Tensor x = Tensor.of(new float[] {1f, 2f, 0.5f});
        Tensor t = Tensor.ofInts(new int[] {1}).reshape();
        double lse = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(0.5));
        assertEquals(lse - 2, F.crossEntropy(x, t).item(), 1e-6);
        Tensor none = F.crossEntropy(x, t, Reduction.NONE);
        assertEquals(0, none.dim());
        assertEquals(lse - 2, none.item(), 1e-6);
    }

    @Test
    void hugeLogitsStayFinite() {
        Tensor x = Tensor.of(new float[] {1000f, -1000f, 0f, 0f, 500f, 1000f}, 2, 3);
        Tensor loss = F.crossEntropy(x, Tensor.ofInts(new int[] {1, 1}, 2), Reduction.NONE);
        assertArrayEquals(new float[] {2000f, 500f}, loss.toFloatArray(), 1e-3f);
    }

    @Test
    void everyTargetIgnoredGivesNaNMeanLikePyTorch() {
        Tensor x = logits(7, 2, C);
        assertTrue(Float.isNaN(F.crossEntropy(x, Tensor.ofInts(new int[] {-100, -100}, 2)).item()));
        assertEquals(0f, F.crossEntropy(x, Tensor.ofInts(new int[] {-100, -100}, 2), Reduction.SUM).item());
    }

    @Test
    void moduleMatchesFunctionalDefaults() {
        Tensor x = logits(8, N, C);
        Tensor t = Tensor.ofInts(new int[] {1, 2, 3, 4}, N);
        assertEquals(F.crossEntropy(x, t).item(), new CrossEntropyLoss().forward(x, t).item());
        CrossEntropyLoss loss = new CrossEntropyLoss(Reduction.SUM, 2, 0.1f);
        assertEquals(Reduction.SUM, loss.reduction());
        assertEquals(2, loss.ignoreIndex());
        assertEquals(0.1f, loss.labelSmoothing());
        assertEquals(F.crossEntropy(x, t, Reduction.SUM, 2, 0.1f).item(), loss.forward(x, t).item());
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        Tensor t = Tensor.ofInts(new int[] {0, 4, 2, 1}, N);
        GradCheck.assertGradients(in -> F.crossEntropy(in[0], in[1]), logits(9, N, C), t);
        Tensor ignored = Tensor.ofInts(new int[] {0, -100, 2, 1}, N);
        GradCheck.assertGradients(in -> F.crossEntropy(in[0], ignored, Reduction.MEAN, -100, 0.2f), logits(10, N, C));
        Tensor weight = Tensor.of(new float[] {0.5f, 2, 1, 3, 0.25f});
        Tensor spatial = Tensor.ofInts(new int[] {0, 1, 2, 3, 4, 0, 1, 2, 3, -100, 0, 4}, N, D);
        GradCheck.assertGradients(in -> F.crossEntropy(in[0], spatial, weight, Reduction.NONE, -100, 0.1f),
                logits(11, N, C, D));
    }

    @Test
    void gradientsOfProbabilityTargetsMatchFiniteDifferences() {
        Tensor p = Tensor.rand(new Generator(12), N, C).add(0.1f);
        Tensor probs = p.div(p.sum(1, true));
        GradCheck.assertGradients(in -> F.crossEntropy(in[0], in[1], Reduction.SUM, -100, 0.1f), logits(13, N, C), probs);
    }

    @Test
    void rejectsTargetsOfTheWrongDtypeOrShape() {
        Tensor x = logits(14, N, C);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> F.crossEntropy(x, Tensor.of(new float[] {0, 1, 2, 3})));
        assertTrue(e.getMessage().contains("crossEntropy") && e.getMessage().contains("INT32")
                && e.getMessage().contains("[4]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> F.crossEntropy(x, Tensor.ofInts(new int[] {0, 1, 2}, 3)));
        assertTrue(e.getMessage().contains("batch sizes 4 and 3 differ"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> F.crossEntropy(x, Tensor.ofInts(new int[8], N, 2)));
        assertTrue(e.getMessage().contains("[4, 5]") && e.getMessage().contains("[4, 2]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> F.nllLoss(x, Tensor.of(new float[] {0, 1, 2, 3})));
        assertTrue(e.getMessage().startsWith("nllLoss: targets must be INT32"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"5", "-1", "7"})
    void rejectsTargetsOutsideTheClassRangeNamingTheValue(int bad) {
        Tensor x = logits(15, N, C);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> F.crossEntropy(x, Tensor.ofInts(new int[] {0, 1, bad, 3}, N)));
        assertTrue(e.getMessage().contains("target " + bad) && e.getMessage().contains("[0, 5)"), e.getMessage());
    }

    @Test
    void rejectsBadOptions() {
        Tensor x = logits(16, N, C);
        Tensor t = Tensor.ofInts(new int[] {0, 1, 2, 3}, N);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> F.crossEntropy(x, t, Reduction.MEAN, -100, 1.5f));
        assertEquals("crossEntropy: labelSmoothing must be in [0, 1], got 1.5", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> F.crossEntropy(x, t, Tensor.ones(3), Reduction.MEAN, -100, 0f));
        assertTrue(e.getMessage().contains("class weight must have shape [C] = [5], got [3]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> F.crossEntropy(Tensor.scalar(1f), t));
        assertThrows(IllegalArgumentException.class, () -> F.crossEntropy(t.to(DType.FLOAT32).reshape(2, 2), x));
    }
}
