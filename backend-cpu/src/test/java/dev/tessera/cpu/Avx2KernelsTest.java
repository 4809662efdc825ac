package dev.tessera.cpu;


import dev.tessera.LayerNormOracle;
import dev.tessera.spi.SgdSpec;
import dev.tessera.spi.SplitMix;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The vector loops of the fused SGD update, the dropout masks and layer normalization with the
 * 8-lane vectors of an AVX2-only CPU ({@code -XX:UseAVX=2}, in a child JVM), against scalar
 * references: SGD bit for bit, the masks bit for bit with the SplitMix stream (the long-vector
 * draws are off there), layer normalization within float rounding of a double-precision oracle.
 */
class Avx2KernelsTest {

    @Test
    void avx2VectorsGiveTheReferenceResults() throws Exception {
        ChildJvm.assertPassesWithAvx2(Avx2Main.class);
    }

    /** Runs in the child JVM of {@link #avx2VectorsGiveTheReferenceResults()}, with 8-lane vectors. */
    static final class Avx2Main {
        public static void main(String[] args) {
            System.out.println("lanes=" + VectorNorm.LN + " simd=" + Simd.ENABLED);
            if (!Simd.ENABLED) {
                throw new AssertionError("the vector paths are off");
            }
            sgd();
            dropout();
            layerNorm();
            System.out.println("result=OK");
        }

        private static float[] random(long seed, int n) {
            Random r = new Random(seed);
            float[] a = new float[n];
            for (int i = 0; i < n; i++) {
                a[i] = (float) r.nextGaussian();
            }
            return a;
        }

        private static void sgd() {
            int n = 1031;
            float[] g = random(2, n);
            for (boolean momentum : new boolean[] {false, true}) {
                float[] p = random(1, n);
                float[] buf = momentum ? random(3, n) : null;
                float[] pExpected = p.clone();
                float[] bExpected = momentum ? buf.clone() : null;
                SgdSpec spec = new SgdSpec(0.05f, momentum ? 0.9f : 0f, 0.1f, 0f, false, false);
                OptimKernels.sgd(p, 0, g, 0, buf, 0, n, spec);
                for (int i = 0; i < n; i++) {
                    float d = g[i];
                    if (momentum) {
                        bExpected[i] = bExpected[i] * 0.9f + (1f - 0.1f) * d;
                        d = bExpected[i];
                    }
                    pExpected[i] = pExpected[i] + -0.05f * d;
                    if (Float.floatToIntBits(pExpected[i]) != Float.floatToIntBits(p[i])
                            || momentum && Float.floatToIntBits(bExpected[i]) != Float.floatToIntBits(buf[i])) {
                        throw new AssertionError("sgd momentum=" + momentum + " element " + i + ": " + p[i] + " vs " + pExpected[i]);
                    }
                }
            }
        }

        private static void dropout() {
            int n = 70_001;
            float[] out = new float[n];
            long state = 0x1234_5678_9ABCL;
            RandomKernels.dropoutMask(out, 0, n, state, 0.3f, 2f);
            for (int i = 0; i < n; i++) {
                float expected = SplitMix.uniform(state, i) >= 0.3f ? 2f : 0f;
                if (out[i] != expected) {
                    throw new AssertionError("dropout element " + i + ": " + out[i] + " vs " + expected);
                }
            }
        }

        private static void layerNorm() {
            int rows = 9;
            int n = 77;
            float[] x = random(4, rows * n);
            float[] w = random(5, n);
            float[] b = random(6, n);
            float[] go = random(7, rows * n);
            float[] out = new float[rows * n];
            float[] mean = new float[rows];
            float[] rstd = new float[rows];
            NormKernels.forward(x, 0, rows, n, w, 0, b, 0, 1e-5f, out, 0, mean, 0, rstd, 0);
            float[] gx = new float[rows * n];
            float[] gw = new float[n];
            float[] gb = new float[n];
            NormKernels.backward(x, 0, rows, n, w, 0, mean, 0, rstd, 0, go, 0, gx, 0, gw, 0, gb, 0);
            double[][] oracle = LayerNormOracle.of(x, w, b, go, n, 1e-5);
            float[][] actual = {out, gx, gw, gb};
            String[] names = {"output", "input gradient", "weight gradient", "bias gradient"};
            for (int i = 0; i < names.length; i++) {
                for (int j = 0; j < actual[i].length; j++) {
                    near(names[i], oracle[i][j], actual[i][j]);
                }
            }
        }

        private static void near(String what, double expected, float actual) {
            if (Math.abs(expected - actual) > 1e-4 * (1 + Math.abs(expected))) {
                throw new AssertionError("layerNorm " + what + ": " + actual + " vs " + expected);
            }
        }
    }
}
