package dev.tessera.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link SwappedGemm} gives the bits of the product computed as given, for every variant, on one
 * thread and on the pool, with padded and offset operands, beta 0 over NaN, 1 and 0.5; and its
 * choice follows its cost model. ({@code assertArrayEquals} on float arrays compares bit patterns.)
 */
class SwappedGemmTest {

    @BeforeAll
    static void needsTheVectorModule() {
        assumeTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(),
                "the Vector API module is not in this JVM");
    }

    @ParameterizedTest(name = "m={0} n={1} k={2}")
    @CsvSource({"32, 64, 64", "64, 256, 784", "40, 300, 520", "33, 1000, 129", "96, 200, 1100", "8, 256, 784",
        "16, 128, 256", "24, 1024, 300", "13, 77, 129"})
    void givesTheBitsOfTheProductAsGiven(int m, int n, int k) {
        SplittableRandom rnd = new SplittableRandom(31L * m + n + k);
        GemmTest.Operands op = new GemmTest.Operands(m, n, k, false, true, rnd);
        float[] nanC = op.newC(Float.NaN);
        float[] randomC = op.newC(rnd);
        for (GemmVariant v : GemmVariant.ALL) {
            for (boolean parallel : new boolean[] {false, true}) {
                float[][] cases = {nanC, randomC, randomC};
                float[] alphas = {1f, -0.75f, 2f};
                float[] betas = {0f, 1f, 0.5f};
                for (int c = 0; c < cases.length; c++) {
                    float[] given = cases[c].clone();
                    VectorGemm.sgemmAsGiven(v, false, true, m, n, k, alphas[c], op.a, GemmTest.OFF_A, op.lda,
                            op.b, GemmTest.OFF_B, op.ldb, betas[c], given, GemmTest.OFF_C, op.ldc, parallel);
                    float[] swapped = cases[c].clone();
                    SwappedGemm.sgemm(v, m, n, k, alphas[c], op.a, GemmTest.OFF_A, op.lda,
                            op.b, GemmTest.OFF_B, op.ldb, betas[c], swapped, GemmTest.OFF_C, op.ldc, parallel);
                    assertArrayEquals(given, swapped, v + (parallel ? " on the pool" : " on one thread")
                            + " alpha=" + alphas[c] + " beta=" + betas[c]);
                }
            }
        }
    }

    @Test
    void withBetaZeroABufferLeftDirtyInThePoolIsOverwritten() {
        int m = 40;
        int n = 300;
        int k = 520;
        SplittableRandom rnd = new SplittableRandom(7);
        GemmTest.Operands op = new GemmTest.Operands(m, n, k, false, true, rnd);
        float[] given = op.newC(rnd);
        VectorGemm.sgemmAsGiven(GemmVariant.PACKED_8X2, false, true, m, n, k, 1f, op.a, GemmTest.OFF_A, op.lda,
                op.b, GemmTest.OFF_B, op.ldb, 0f, given, GemmTest.OFF_C, op.ldc, false);
        float[] dirty = new float[n * m];
        java.util.Arrays.fill(dirty, Float.NaN);
        ArrayPool.give(dirty); // the buffer the swapped product takes next
        float[] swapped = op.newC(rnd);
        SwappedGemm.sgemm(GemmVariant.PACKED_8X2, m, n, k, 1f, op.a, GemmTest.OFF_A, op.lda,
                op.b, GemmTest.OFF_B, op.ldb, 0f, swapped, GemmTest.OFF_C, op.ldc, false);
        assertArrayEquals(given, swapped);
    }

    @Test
    void swapsOnlyWhereTheModelSaysItPays() {
        int nrw = VectorGemm.NRW;
        assertEquals(true, SwappedGemm.pays(false, true, 64, 256, 784), "a batch of 64 through a 784 -> 256 layer");
        assertEquals(false, SwappedGemm.pays(false, true, 256, 256, 784), "as many rows as columns");
        assertEquals(false, SwappedGemm.pays(false, true, 1, 256, 784), "fewer rows than a register tile");
        assertEquals(false, SwappedGemm.pays(false, true, VectorGemm.MR - 1, 1024, 784), "fewer rows than a register tile");
        if (nrw == 32) { // 16-float vectors: 8 rows fill a quarter of the panel (with AVX2's 16-column panels, half)
            assertEquals(false, SwappedGemm.pays(false, true, 8, 256, 784), "8 rows: the padded panel costs more than the copy");
        }
        assertEquals(true, SwappedGemm.pays(false, true, nrw - 1, 1024, 784), "a panel's padding costs less than the copy");
        assertEquals(true, SwappedGemm.pays(false, true, 24, 256, 784), "a batch of 24 through a 784 -> 256 layer");
        assertEquals(false, SwappedGemm.pays(true, true, 64, 256, 784), "A transposed");
        assertEquals(false, SwappedGemm.pays(false, false, 64, 256, 784), "B not transposed: nothing to save");
        assertEquals(false, SwappedGemm.pays(false, true, 64, 256, 32), "k too short");
        // The swapped product (n x m) never swaps back.
        assertEquals(false, SwappedGemm.pays(false, true, 256, 64, 784));
    }
}
