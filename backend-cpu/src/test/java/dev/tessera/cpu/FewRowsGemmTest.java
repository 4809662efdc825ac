package dev.tessera.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link FewRowsGemm}: with B not transposed, the bits of the register-tiled product for every
 * row count it takes, odd widths, several k blocks, A stored transposed, padded and offset
 * operands; with B transposed, the double-precision product to float rounding; both with beta 0
 * over NaN, 1 and 0.5, writing nothing outside C, and the same bits on one thread and on the pool.
 * ({@code assertArrayEquals} on float arrays compares bit patterns.)
 */
class FewRowsGemmTest {

    @BeforeAll
    static void needsTheVectorModule() {
        assumeTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(),
                "the Vector API module is not in this JVM");
    }

    private static final float[] ALPHAS = {1f, -0.75f, 2f};
    private static final float[] BETAS = {0f, 1f, 0.5f};

    @ParameterizedTest(name = "m={0} n={1} k={2} transA={3}")
    @CsvSource({"1, 256, 784, false", "2, 37, 5, false", "3, 100, 1100, true", "4, 1030, 33, false",
        "5, 17, 600, true", "6, 64, 64, false", "7, 9, 1, false", "1, 4100, 7, false", "7, 700, 130, true"})
    void bNotTransposedGivesTheBitsOfTheTiledProduct(int m, int n, int k, boolean transA) {
        SplittableRandom rnd = new SplittableRandom(97L * m + n + k);
        GemmTest.Operands op = new GemmTest.Operands(m, n, k, transA, false, rnd);
        float[][] starts = {op.newC(Float.NaN), op.newC(rnd), op.newC(rnd)};
        for (int c = 0; c < starts.length; c++) {
            float[] tiled = starts[c].clone();
            VectorGemm.sgemmAsGiven(GemmVariant.INPLACE_8X2, transA, false, m, n, k, ALPHAS[c], op.a, GemmTest.OFF_A,
                    op.lda, op.b, GemmTest.OFF_B, op.ldb, BETAS[c], tiled, GemmTest.OFF_C, op.ldc, false);
            for (boolean parallel : new boolean[] {false, true}) {
                float[] few = run(op, ALPHAS[c], BETAS[c], starts[c], parallel);
                assertArrayEquals(tiled, few, (parallel ? "on the pool" : "on one thread") + " alpha=" + ALPHAS[c]
                        + " beta=" + BETAS[c]);
            }
        }
    }

    @ParameterizedTest(name = "m={0} n={1} k={2} transA={3}")
    @CsvSource({"1, 256, 784, false", "2, 3, 15, false", "3, 1025, 17, true", "4, 10, 128, false",
        "5, 33, 1000, true", "7, 4, 1, false", "1, 1, 3000, false", "6, 129, 64, true"})
    void bTransposedGivesTheProductToFloatRounding(int m, int n, int k, boolean transA) {
        SplittableRandom rnd = new SplittableRandom(31L * m + n + k);
        GemmTest.Operands op = new GemmTest.Operands(m, n, k, transA, true, rnd);
        double[] product = op.referenceProduct();
        float[][] starts = {op.newC(Float.NaN), op.newC(rnd), op.newC(rnd)};
        double tol = 1e-5 * Math.sqrt(k) * 4;
        for (int c = 0; c < starts.length; c++) {
            double[] expected = new double[m * n];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double old = BETAS[c] == 0f ? 0 : BETAS[c] * starts[c][op.cIndex(i, j)];
                    expected[i * n + j] = ALPHAS[c] * product[i * n + j] + old;
                }
            }
            float[] serial = run(op, ALPHAS[c], BETAS[c], starts[c], false);
            op.assertMatches("alpha=" + ALPHAS[c] + " beta=" + BETAS[c], expected, tol, serial);
            assertArrayEquals(serial, run(op, ALPHAS[c], BETAS[c], starts[c], true), "the same bits on the pool");
        }
    }

    @Test
    void takesFewerRowsThanARegisterTile() {
        assertTrue(FewRowsGemm.applies(1));
        assertTrue(FewRowsGemm.applies(VectorGemm.MR - 1));
        assertFalse(FewRowsGemm.applies(VectorGemm.MR));
    }

    private static float[] run(GemmTest.Operands op, float alpha, float beta, float[] start, boolean parallel) {
        float[] c = start.clone();
        FewRowsGemm.sgemm(op.transA, op.transB, op.m, op.n, op.k, alpha, op.a, GemmTest.OFF_A, op.lda, op.b,
                GemmTest.OFF_B, op.ldb, beta, c, GemmTest.OFF_C, op.ldc, parallel);
        return c;
    }
}
