package dev.tessera.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tessera.spi.BinaryOp;
import dev.tessera.spi.ReduceOp;
import dev.tessera.spi.SgdSpec;
import dev.tessera.spi.UnaryOp;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The scalar twins that serve until the JIT has compiled the vector kernels ({@link ScalarTiles},
 * the scalar branches of {@link VectorGemm}, {@link OptimKernels}, {@link UnaryKernels},
 * {@link BinaryKernels} and {@link ReduceKernels}) give the vector kernels' bits: tile by tile, and
 * whole products, SGD updates, elementwise ops and column sums with the gates forced shut and open,
 * special values included. ({@code assertArrayEquals} on float arrays compares bit patterns.)
 */
class ScalarTwinsTest {
    private static final int NRW = VectorGemm.NRW;
    /** Row lengths: shorter than the vector paths take, whole vectors, a partial last vector, several pieces. */
    private static final int[] LENGTHS = {5, 31, 32, 64 + 5, 2048 + 3};

    @BeforeAll
    static void needsTheVectorModule() {
        assumeTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(),
                "the Vector API module is not in this JVM");
    }

    @AfterEach
    void followTheWarmUpAgain() {
        VectorWarmUp.forceForTests(null);
    }

    @ParameterizedTest(name = "kc={0}")
    @ValueSource(ints = {0, 1, 7, 64, 513})
    void inPlaceTilesGiveTheBitsOfTheVectorKernels(int kc) {
        SplittableRandom rnd = new SplittableRandom(kc);
        int lda = kc + 3;
        float[] a = random(8 * lda + 8 * (kc + 1) + 9, rnd);
        int bStep = NRW + 5;
        float[] b = random((kc + 1) * bStep + 2, rnd);
        // A read by rows (step 1, rows lda apart, the last three repeating row 4), as kernelRows reads it.
        int[] o = {lda, 2 * lda, 3 * lda, 4 * lda, 4 * lda, 4 * lda, 4 * lda};
        float[] want = new float[8 * NRW];
        VectorGemm.kernelRows(kc, a, 2, o[0], o[1], o[2], o[3], o[4], o[5], o[6], b, 1, want);
        float[] got = new float[8 * NRW];
        ScalarTiles.inPlace(kc, a, 2, 1, o[0], o[1], o[2], o[3], o[4], o[5], o[6], b, 1, NRW, got, NRW);
        assertArrayEquals(want, got, "A by rows, B packed");
        // A's rows copied KC floats apart, as kernelCopiedRows reads them.
        int kcFloats = VectorGemm.KC;
        float[] copied = random(3 + 7 * kcFloats + kc + 1, rnd);
        VectorGemm.kernelCopiedRows(kc, copied, 3, b, 1, want);
        ScalarTiles.inPlace(kc, copied, 3, 1, kcFloats, 2 * kcFloats, 3 * kcFloats, 4 * kcFloats, 5 * kcFloats,
                6 * kcFloats, 7 * kcFloats, b, 1, NRW, got, NRW);
        assertArrayEquals(want, got, "A's rows copied KC apart, B packed");
        // A stored transposed (step 8 along k, rows one apart) and B read in place with its own stride.
        VectorGemm.kernel(kc, a, 1, 8, 1, 2, 3, 4, 5, 6, 7, b, 2, bStep, want);
        ScalarTiles.inPlace(kc, a, 1, 8, 1, 2, 3, 4, 5, 6, 7, b, 2, bStep, got, NRW);
        assertArrayEquals(want, got, "A transposed, B in place");
    }

    @ParameterizedTest(name = "kc={0}")
    @ValueSource(ints = {0, 1, 7, 64, 513})
    void packedTilesGiveTheBitsOfTheVectorKernels(int kc) {
        SplittableRandom rnd = new SplittableRandom(100 + kc);
        for (int mr : new int[] {6, 8, 12}) {
            float[] a = random(mr * kc + 5, rnd);
            float[] b = random(kc * NRW + 3, rnd);
            float[] want = new float[mr * NRW];
            PackedKernels.kernel(mr, kc, a, 5, b, 3, want);
            float[] got = new float[mr * NRW];
            ScalarTiles.packed(kc, mr, a, 5, b, 3, got, NRW);
            assertArrayEquals(want, got, mr + " rows");
        }
    }

    @ParameterizedTest(name = "tile width {0}")
    @ValueSource(ints = {16, 32})
    void bothTileWidthsAccumulateInOrderWithFusedMultiplyAdds(int nrw) {
        // Both widths whatever this CPU's: 16 (AVX2, eight columns at a time) and 32 (AVX-512, sixteen).
        SplittableRandom rnd = new SplittableRandom(nrw);
        int kc = 37;
        float[] a = random(6 * kc, rnd);
        float[] b = random(kc * nrw, rnd);
        float[] got = new float[6 * nrw];
        ScalarTiles.packed(kc, 6, a, 0, b, 0, got, nrw);
        float[] want = new float[6 * nrw];
        for (int r = 0; r < 6; r++) {
            for (int j = 0; j < nrw; j++) {
                float acc = 0f;
                for (int p = 0; p < kc; p++) {
                    acc = Math.fma(a[p * 6 + r], b[p * nrw + j], acc);
                }
                want[r * nrw + j] = acc;
            }
        }
        assertArrayEquals(want, got);
    }

    @ParameterizedTest(name = "m={0} n={1} k={2} transA={3} transB={4}")
    @CsvSource({"33, 70, 129, false, false", "64, 256, 784, false, true", "40, 300, 1100, false, false",
        "13, 77, 600, true, false", "96, 200, 520, true, true", "8, 17, 5, false, false"})
    void productsGiveTheSameBitsBeforeAndAfterTheSwitch(int m, int n, int k, boolean transA, boolean transB) {
        SplittableRandom rnd = new SplittableRandom(31L * m + n + k);
        GemmTest.Operands op = new GemmTest.Operands(m, n, k, transA, transB, rnd);
        float[] startC = op.newC(rnd);
        float[] alphas = {1f, -0.75f, 2f};
        float[] betas = {0f, 1f, 0.5f};
        for (GemmVariant v : GemmVariant.ALL) {
            for (boolean parallel : new boolean[] {false, true}) {
                for (int c = 0; c < alphas.length; c++) {
                    float[][] results = new float[2][];
                    for (int vector = 0; vector < 2; vector++) {
                        VectorWarmUp.forceForTests(vector == 1);
                        results[vector] = startC.clone();
                        VectorGemm.sgemm(v, transA, transB, m, n, k, alphas[c], op.a, GemmTest.OFF_A, op.lda,
                                op.b, GemmTest.OFF_B, op.ldb, betas[c], results[vector], GemmTest.OFF_C, op.ldc,
                                parallel);
                    }
                    assertArrayEquals(results[1], results[0], v + (parallel ? " on the pool" : " on one thread")
                            + " alpha=" + alphas[c] + " beta=" + betas[c]);
                }
            }
        }
    }

    @Test
    void sgdGivesTheSameBitsBeforeAndAfterTheSwitch() {
        SplittableRandom rnd = new SplittableRandom(7);
        int n = 3 * VectorGemm.LN + 5;
        float[] p0 = random(n + 2, rnd);
        float[] g = random(n + 1, rnd);
        float[] buf0 = random(n + 3, rnd);
        SgdSpec plain = new SgdSpec(0.1f, 0f, 0f, 0f, false, false);
        SgdSpec momentum = new SgdSpec(0.1f, 0.9f, 0.25f, 0f, false, false);
        for (SgdSpec spec : new SgdSpec[] {plain, momentum}) {
            float[][] ps = new float[2][];
            float[][] bufs = new float[2][];
            for (int vector = 0; vector < 2; vector++) {
                VectorWarmUp.forceForTests(vector == 1);
                ps[vector] = p0.clone();
                bufs[vector] = buf0.clone();
                OptimKernels.sgd(ps[vector], 2, g, 1, spec.momentum() == 0f ? null : bufs[vector], 3, n, spec);
            }
            assertArrayEquals(ps[1], ps[0], "parameters, " + spec);
            assertArrayEquals(bufs[1], bufs[0], "momentum buffer, " + spec);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(names = {"RELU", "STEP", "NEG", "ADD_SCALAR", "MUL_SCALAR"})
    void gatedUnaryOpsGiveTheSameBitsBeforeAndAfterTheSwitch(UnaryOp op) {
        assertTrue(VectorWarmUp.GATED_UNARY_OPS.contains(op), op + " is not gated: the test would not test the switch");
        float[] x = withSpecialValues(2100, new SplittableRandom(op.ordinal()));
        for (int n : LENGTHS) {
            float[][] results = new float[2][];
            for (int vector = 0; vector < 2; vector++) {
                VectorWarmUp.forceForTests(vector == 1);
                results[vector] = new float[n + 4];
                UnaryKernels.row(op, 0.75f, x, 3, 1, results[vector], 2, 1, n);
            }
            assertArrayEquals(results[1], results[0], op + " n=" + n);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = BinaryOp.class, names = "POW", mode = EnumSource.Mode.EXCLUDE)
    void binaryOpsGiveTheSameBitsBeforeAndAfterTheSwitch(BinaryOp op) {
        SplittableRandom rnd = new SplittableRandom(op.ordinal());
        float[] a = withSpecialValues(2100, rnd);
        float[] b = withSpecialValues(2100, rnd);
        // both operands rows, and either one a broadcast value
        int[][] strides = {{1, 1}, {1, 0}, {0, 1}};
        for (int n : LENGTHS) {
            for (int[] s : strides) {
                float[][] results = new float[2][];
                for (int vector = 0; vector < 2; vector++) {
                    VectorWarmUp.forceForTests(vector == 1);
                    results[vector] = new float[n + 4];
                    BinaryKernels.row(op, a, 5, s[0], b, 1, s[1], results[vector], 2, 1, n);
                }
                assertArrayEquals(results[1], results[0], op + " n=" + n + " strides " + s[0] + "," + s[1]);
            }
        }
    }

    @ParameterizedTest(name = "{0} rows x {1} columns")
    @CsvSource({"64, 256", "3, 37", "200, 10", "1, 1000"})
    void columnSumsGiveTheSameBitsBeforeAndAfterTheSwitch(int rows, int columns) {
        float[] x = withSpecialValues(rows * columns + 3, new SplittableRandom(rows + columns));
        float[][] results = new float[2][];
        for (int vector = 0; vector < 2; vector++) {
            VectorWarmUp.forceForTests(vector == 1);
            results[vector] = new float[columns];
            ReduceKernels.reduce(ReduceOp.SUM, x, 3, 1, rows, columns, results[vector], null, 0);
        }
        assertArrayEquals(results[1], results[0]);
    }

    /** Random values in [-4, 4) with NaN, both zeros, both infinities and subnormals spread among them. */
    private static float[] withSpecialValues(int n, SplittableRandom rnd) {
        float[] special = {Float.NaN, 0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE,
            -Float.MIN_VALUE, Float.MAX_VALUE};
        float[] x = random(n, rnd);
        for (int i = 0; i < n; i++) {
            x[i] *= 4;
            if (i % 7 == 3) {
                x[i] = special[(i / 7) % special.length];
            }
        }
        return x;
    }

    private static float[] random(int n, SplittableRandom rnd) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextDouble(-1, 1);
        }
        return x;
    }
}
