package dev.tessera.cpu;

/**
 * Scalar twins of the GEMM register-tile kernels ({@link VectorGemm}'s in-place kernels and the
 * {@link PackedKernels}), run while the JIT has not yet compiled those (see {@link VectorWarmUp}).
 * Every element of the tile is accumulated exactly as a vector lane is: from +0, one fused
 * multiply-add per k step, in the order p = 0, 1, ..., kc-1. So both give the same bits, and when
 * the switch happens does not change any result.
 *
 * <p>Refers to no {@code jdk.incubator.vector} type.
 */
final class ScalarTiles {

    private ScalarTiles() {
    }

    /**
     * {@code tile[r*nrw + j] = sum_p a[ai + o_r + p*aStep] * b[bi + p*bStep + j]} for 8 rows with
     * {@code o_0 = 0} and {@code j < nrw}: the tile of {@link VectorGemm}'s in-place kernels.
     * Modifies only {@code tile[0, 8*nrw)}.
     */
    static void inPlace(int kc, float[] a, int ai, int aStep, int o1, int o2, int o3, int o4, int o5, int o6,
                        int o7, float[] b, int bi, int bStep, float[] tile, int nrw) {
        for (int r = 0; r < 8; r++) {
            int o = switch (r) {
                case 0 -> 0;
                case 1 -> o1;
                case 2 -> o2;
                case 3 -> o3;
                case 4 -> o4;
                case 5 -> o5;
                case 6 -> o6;
                default -> o7;
            };
            accumulateRow(kc, a, ai + o, aStep, b, bi, bStep, tile, r * nrw, nrw);
        }
    }

    /**
     * {@code tile[r*nrw + j] = sum_p a[ai + p*mr + r] * b[bi + p*nrw + j]} for {@code r < mr}: the
     * tile of a {@link PackedKernels} kernel with {@code mr} rows. Modifies only
     * {@code tile[0, mr*nrw)}.
     */
    static void packed(int kc, int mr, float[] a, int ai, float[] b, int bi, float[] tile, int nrw) {
        for (int r = 0; r < mr; r++) {
            accumulateRow(kc, a, ai + r, mr, b, bi, nrw, tile, r * nrw, nrw);
        }
    }

    /**
     * One row of a tile: {@code tile[t + j] = sum_p a[ai + p*aStep] * b[bi + p*bStep + j]}, many
     * columns at a time in locals, whose independent chains of multiply-adds keep both FMA units
     * busy despite each one's latency: sixteen where the tile is 32 wide (AVX-512, 32 registers),
     * eight where it is 16 wide (AVX2, 16 registers, where sixteen spill). Measured, kc = 512,
     * 1 thread: 6.4 GFMA/s with sixteen against 3.6 with eight and 2.5 with four under AVX-512;
     * 5.2 with eight against 2.6 with sixteen under {@code -XX:UseAVX=2}.
     */
    private static void accumulateRow(int kc, float[] a, int ai, int aStep, float[] b, int bi, int bStep,
                                      float[] tile, int t, int nrw) {
        if (nrw % 16 == 0 && nrw >= 32) {
            accumulateRow16(kc, a, ai, aStep, b, bi, bStep, tile, t, nrw);
        } else {
            accumulateRow8(kc, a, ai, aStep, b, bi, bStep, tile, t, nrw); // every tile is a multiple of 8 wide
        }
    }

    private static void accumulateRow16(int kc, float[] a, int ai, int aStep, float[] b, int bi, int bStep,
                                       float[] tile, int t, int nrw) {
        for (int j = 0; j < nrw; j += 16) {
            float c0 = 0f;
            float c1 = 0f;
            float c2 = 0f;
            float c3 = 0f;
            float c4 = 0f;
            float c5 = 0f;
            float c6 = 0f;
            float c7 = 0f;
            float c8 = 0f;
            float c9 = 0f;
            float c10 = 0f;
            float c11 = 0f;
            float c12 = 0f;
            float c13 = 0f;
            float c14 = 0f;
            float c15 = 0f;
            int bo = bi + j;
            int ao = ai;
            for (int p = 0; p < kc; p++) {
                float x = a[ao];
                c0 = Math.fma(x, b[bo], c0);
                c1 = Math.fma(x, b[bo + 1], c1);
                c2 = Math.fma(x, b[bo + 2], c2);
                c3 = Math.fma(x, b[bo + 3], c3);
                c4 = Math.fma(x, b[bo + 4], c4);
                c5 = Math.fma(x, b[bo + 5], c5);
                c6 = Math.fma(x, b[bo + 6], c6);
                c7 = Math.fma(x, b[bo + 7], c7);
                c8 = Math.fma(x, b[bo + 8], c8);
                c9 = Math.fma(x, b[bo + 9], c9);
                c10 = Math.fma(x, b[bo + 10], c10);
                c11 = Math.fma(x, b[bo + 11], c11);
                c12 = Math.fma(x, b[bo + 12], c12);
                c13 = Math.fma(x, b[bo + 13], c13);
                c14 = Math.fma(x, b[bo + 14], c14);
                c15 = Math.fma(x, b[bo + 15], c15);
                ao += aStep;
                bo += bStep;
            }
            tile[t + j] = c0;
            tile[t + j + 1] = c1;
            tile[t + j + 2] = c2;
            tile[t + j + 3] = c3;
            tile[t + j + 4] = c4;
            tile[t + j + 5] = c5;
            tile[t + j + 6] = c6;
            tile[t + j + 7] = c7;
            tile[t + j + 8] = c8;
            tile[t + j + 9] = c9;
            tile[t + j + 10] = c10;
            tile[t + j + 11] = c11;
            tile[t + j + 12] = c12;
            tile[t + j + 13] = c13;
            tile[t + j + 14] = c14;
            tile[t + j + 15] = c15;
        }
    }

    private static void accumulateRow8(int kc, float[] a, int ai, int aStep, float[] b, int bi, int bStep,
                                       float[] tile, int t, int nrw) {
        for (int j = 0; j < nrw; j += 8) {
            float c0 = 0f;
            float c1 = 0f;
            float c2 = 0f;
            float c3 = 0f;
            float c4 = 0f;
            float c5 = 0f;
            float c6 = 0f;
            float c7 = 0f;
            int bo = bi + j;
            int ao = ai;
            for (int p = 0; p < kc; p++) {
                float x = a[ao];
                c0 = Math.fma(x, b[bo], c0);
                c1 = Math.fma(x, b[bo + 1], c1);
                c2 = Math.fma(x, b[bo + 2], c2);
                c3 = Math.fma(x, b[bo + 3], c3);
                c4 = Math.fma(x, b[bo + 4], c4);
                c5 = Math.fma(x, b[bo + 5], c5);
                c6 = Math.fma(x, b[bo + 6], c6);
                c7 = Math.fma(x, b[bo + 7], c7);
                ao += aStep;
                bo += bStep;
            }
            tile[t + j] = c0;
            tile[t + j + 1] = c1;
            tile[t + j + 2] = c2;
            tile[t + j + 3] = c3;
            tile[t + j + 4] = c4;
            tile[t + j + 5] = c5;
            tile[t + j + 6] = c6;
            tile[t + j + 7] = c7;
        }
    }
}
