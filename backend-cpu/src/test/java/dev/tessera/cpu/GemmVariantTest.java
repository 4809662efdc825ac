package dev.tessera.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every {@link GemmVariant} of the Vector API GEMM against the double-precision reference, on
 * sizes around each variant's edges (6, 8 and 12-row tiles, row blocks of 66, 64 and 72, the
 * 16-panel threshold from which A is packed, three k blocks), all transpose combinations,
 * padded and offset operands, overwrite and accumulate (beta = 1) modes, on one thread and on
 * the pool; and every variant gives the same bits as the others. A child JVM repeats the check
 * with AVX2's 8-lane vectors.
 */
class GemmVariantTest {

    private static final int[][] SIZES = {
        {1, 1, 1}, {5, 33, 7}, {13, 600, 600}, {70, 530, 1030}, {145, 700, 65}, {7, 1000, 257}, {80, 17, 40},
    };

    @BeforeAll
    static void needsTheVectorModule() {
        assumeTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(),
                "the Vector API module is not in this JVM");
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (int[] s : SIZES) {
            for (int t = 0; t < 4; t++) {
                out.add(Arguments.of(s[0], s[1], s[2], (t & 1) != 0, (t & 2) != 0));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "m={0} n={1} k={2} transA={3} transB={4}")
    @MethodSource("cases")
    void everyVariantMatchesTheReferenceAndTheOthersBitForBit(int m, int n, int k, boolean transA, boolean transB) {
        assertTrue(checkAllVariants(m, n, k, transA, transB).isEmpty());
    }

    /**
     * Runs every variant on one case, single-threaded and on the pool, with beta 0 (over NaN) and
     * beta 1; fails on a value off the reference, a write outside C, or bits that differ between
     * variants.
     *
     * @return an empty string (so a child JVM can print it)
     */
    static String checkAllVariants(int m, int n, int k, boolean transA, boolean transB) {
        SplittableRandom rnd = new SplittableRandom(7L * m + 13L * n + k + (transA ? 3 : 0) + (transB ? 9 : 0));
        GemmTest.Operands op = new GemmTest.Operands(m, n, k, transA, transB, rnd);
        double[] product = op.referenceProduct();
        float[] nanC = op.newC(Float.NaN);
        float[] randomC = op.newC(rnd);
        float[][] first = null;
        for (GemmVariant v : GemmVariant.ALL) {
            for (boolean parallel : new boolean[] {false, true}) {
                String what = v + (parallel ? " on the pool" : " on one thread")
                        + String.format(" m=%d n=%d k=%d transA=%b transB=%b", m, n, k, transA, transB);
                float[] overwritten = run(v, parallel, op, 1f, 0f, nanC);
                op.assertMatches(what + " beta=0", expected(op, product, 1f, 0f, nanC), tolerance(op, product, randomC), overwritten);
                float[] accumulated = run(v, parallel, op, -0.75f, 1f, randomC);
                op.assertMatches(what + " beta=1", expected(op, product, -0.75f, 1f, randomC),
                        tolerance(op, product, randomC), accumulated);
                if (first == null) {
                    first = new float[][] {overwritten, accumulated};
                } else {
                    assertArrayEquals(first[0], overwritten, what + ": beta=0 differs from " + GemmVariant.ALL.get(0));
                    assertArrayEquals(first[1], accumulated, what + ": beta=1 differs from " + GemmVariant.ALL.get(0));
                }
            }
        }
        return "";
    }

    private static float[] run(GemmVariant v, boolean parallel, GemmTest.Operands op, float alpha, float beta, float[] c0) {
        float[] c = c0.clone();
        VectorGemm.sgemm(v, op.transA, op.transB, op.m, op.n, op.k, alpha, op.a, GemmTest.OFF_A, op.lda,
                op.b, GemmTest.OFF_B, op.ldb, beta, c, GemmTest.OFF_C, op.ldc, parallel);
        return c;
    }

    private static double[] expected(GemmTest.Operands op, double[] product, float alpha, float beta, float[] c0) {
        double[] e = new double[op.m * op.n];
        for (int i = 0; i < op.m; i++) {
            for (int j = 0; j < op.n; j++) {
                double old = beta == 0f ? 0 : (double) beta * c0[op.cIndex(i, j)];
                e[i * op.n + j] = alpha * product[i * op.n + j] + old;
            }
        }
        return e;
    }

    private static double tolerance(GemmTest.Operands op, double[] product, float[] c0) {
        double maxAbs = 1;
        for (double p : product) {
            maxAbs = Math.max(maxAbs, Math.abs(p));
        }
        return 1e-4 * Math.sqrt(op.k) * (maxAbs + 1) + 1e-5;
    }

    @Test
    void avx2VectorsRunEveryVariantCorrectly() throws Exception {
        ChildJvm.assertPassesWithAvx2(Avx2Main.class);
    }

    /** Runs in the child JVM of {@link #avx2VectorsRunEveryVariantCorrectly()}, with 8-lane vectors. */
    static final class Avx2Main {
        public static void main(String[] args) {
            System.out.println("lanes=" + VectorGemm.LN);
            for (int[] s : new int[][] {{5, 33, 7}, {13, 300, 600}, {70, 290, 530}, {7, 100, 257}}) {
                for (int t = 0; t < 4; t++) {
                    checkAllVariants(s[0], s[1], s[2], (t & 1) != 0, (t & 2) != 0);
                }
            }
            System.out.println("result=OK");
        }
    }
}
