package dev.tessera.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-tile kernels of the packed {@link GemmVariant}s: A packed into row panels
 * ({@code a[ai + p*MR + r]}) and B into column panels ({@code b[bi + p*NRW + j]}), both walked
 * with constant strides so that the JIT hoists the bounds checks out of the k loop. Each
 * accumulates, for every element, the products in the order p = 0, 1, ..., kc-1 with one fused
 * multiply-add per step: the same sequence as {@link VectorGemm}'s in-place kernel, hence the
 * same bits. Written out per tile height, as the in-place kernel is: accumulators in named
 * locals are what keeps them in registers.
 *
 * <p>Loaded, like {@link VectorGemm}, only once the Vector API module is known to be present.
 */
final class PackedKernels {

    private static final VectorSpecies<Float> S = VectorGemm.SPECIES;
    private static final int LN = VectorGemm.LN;
    private static final int NRW = VectorGemm.NRW;

    private PackedKernels() {
    }

    /**
     * Packs rows {@code [row0, row0+rows)} of op(A), k range {@code [pc, pc+kc)}, into panels of
     * {@code mr} rows: {@code ap[panel*mr*kc + p*mr + r] = op(A)(row0 + panel*mr + r, pc + p)};
     * rows past {@code rows} are zero.
     *
     * @param ap the destination, at least {@code ceil(rows/mr)*mr*kc} floats; modified
     */
    static void packA(boolean transA, float[] a, int aOff, int lda, int row0, int rows, int pc, int kc,
                      int mr, float[] ap) {
        int panels = (rows + mr - 1) / mr;
        for (int ip = 0; ip < panels; ip++) {
            int d = ip * mr * kc;
            int first = row0 + ip * mr;
            int valid = Math.min(mr, rows - ip * mr);
            if (transA) {
                // Stored k x m: the panel's rows at one p are contiguous.
                for (int p = 0; p < kc; p++) {
                    int src = aOff + (pc + p) * lda + first;
                    int o = d + p * mr;
                    for (int r = 0; r < valid; r++) {
                        ap[o + r] = a[src + r];
                    }
                    for (int r = valid; r < mr; r++) {
                        ap[o + r] = 0f;
                    }
                }
            } else if (valid == mr && mr % 2 == 0) {
                // Full panel: four rows at a time (and a pair for 6 rows), each group of rows read as
                // parallel sequential streams with the row offsets in locals, so that the loop has no
                // inner loop and its bounds checks leave it. Packing a 256 x 256 A into 8-row panels
                // went from about 38 to 22 µs (1 thread); eight rows per pass was slower again.
                int src = aOff + first * lda + pc;
                int r = 0;
                for (; r + 4 <= mr; r += 4) {
                    packFourRows(a, src + r * lda, lda, kc, ap, d + r, mr);
                }
                if (r < mr) {
                    packTwoRows(a, src + r * lda, lda, kc, ap, d + r, mr);
                }
            } else {
                // Row by row along k would write the panel with stride mr, passing over all of it
                // mr times; k outer reads mr rows as parallel sequential streams and writes once.
                int src = aOff + first * lda + pc;
                for (int p = 0; p < kc; p++) {
                    int o = d + p * mr;
                    int s = src + p;
                    for (int r = 0; r < valid; r++) {
                        ap[o + r] = a[s + r * lda];
                    }
                    for (int r = valid; r < mr; r++) {
                        ap[o + r] = 0f;
                    }
                }
            }
        }
    }

    /** {@code ap[d + p*mr + i] = a[src + i*lda + p]} for rows {@code i < 4}, {@code p < kc}. */
    private static void packFourRows(float[] a, int src, int lda, int kc, float[] ap, int d, int mr) {
        int s1 = src + lda;
        int s2 = s1 + lda;
        int s3 = s2 + lda;
        for (int p = 0, o = d; p < kc; p++, o += mr) {
            ap[o] = a[src + p];
            ap[o + 1] = a[s1 + p];
            ap[o + 2] = a[s2 + p];
            ap[o + 3] = a[s3 + p];
        }
    }

    /** {@code ap[d + p*mr + i] = a[src + i*lda + p]} for rows {@code i < 2}, {@code p < kc}. */
    private static void packTwoRows(float[] a, int src, int lda, int kc, float[] ap, int d, int mr) {
        int s1 = src + lda;
        for (int p = 0, o = d; p < kc; p++, o += mr) {
            ap[o] = a[src + p];
            ap[o + 1] = a[s1 + p];
        }
    }

    /**
     * The tile of {@code mr} rows ({@code tile[r*NRW + j] = sum_p a[ai + p*mr + r] * b[bi + p*NRW + j]}):
     * {@link #kernel6x2}, {@link #kernel8x2} or {@link #kernel12x2}.
     *
     * @throws IllegalStateException for any other {@code mr}
     */
    static void kernel(int mr, int kc, float[] a, int ai, float[] b, int bi, float[] tile) {
        switch (mr) {
            case 6 -> kernel6x2(kc, a, ai, b, bi, tile);
            case 8 -> kernel8x2(kc, a, ai, b, bi, tile);
            case 12 -> kernel12x2(kc, a, ai, b, bi, tile);
            default -> throw new IllegalStateException("sgemm: no packed kernel with " + mr + " rows");
        }
    }

    /** The 6 x 2-vector tile: {@code tile[r*NRW + j] = sum_p a[ai + p*6 + r] * b[bi + p*NRW + j]}. */
    static void kernel6x2(int kc, float[] a, int ai, float[] b, int bi, float[] tile) {
        if (kc < 0) {
            return; // a call that only counts towards the JIT's thresholds (see WarmUpProbes)
        }
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int ao = ai + p * 6;
            int bo = bi + p * NRW;
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + LN);
            FloatVector a0 = FloatVector.broadcast(S, a[ao]);
            c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, a[ao + 1]);
            c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, a[ao + 2]);
            c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, a[ao + 3]);
            c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, a[ao + 4]);
            c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, a[ao + 5]);
            c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51);
        }
        c00.intoArray(tile, 0 * NRW); c01.intoArray(tile, 0 * NRW + LN);
        c10.intoArray(tile, 1 * NRW); c11.intoArray(tile, 1 * NRW + LN);
        c20.intoArray(tile, 2 * NRW); c21.intoArray(tile, 2 * NRW + LN);
        c30.intoArray(tile, 3 * NRW); c31.intoArray(tile, 3 * NRW + LN);
        c40.intoArray(tile, 4 * NRW); c41.intoArray(tile, 4 * NRW + LN);
        c50.intoArray(tile, 5 * NRW); c51.intoArray(tile, 5 * NRW + LN);
    }

    /** The 8 x 2-vector tile: {@code tile[r*NRW + j] = sum_p a[ai + p*8 + r] * b[bi + p*NRW + j]}. */
    static void kernel8x2(int kc, float[] a, int ai, float[] b, int bi, float[] tile) {
        if (kc < 0) {
            return; // a call that only counts towards the JIT's thresholds (see WarmUpProbes)
        }
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int ao = ai + p * 8;
            int bo = bi + p * NRW;
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + LN);
            FloatVector a0 = FloatVector.broadcast(S, a[ao]);
            c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, a[ao + 1]);
            c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, a[ao + 2]);
            c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, a[ao + 3]);
            c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, a[ao + 4]);
            c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, a[ao + 5]);
            c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51);
            FloatVector a6 = FloatVector.broadcast(S, a[ao + 6]);
            c60 = a6.fma(b0, c60); c61 = a6.fma(b1, c61);
            FloatVector a7 = FloatVector.broadcast(S, a[ao + 7]);
            c70 = a7.fma(b0, c70); c71 = a7.fma(b1, c71);
        }
        c00.intoArray(tile, 0 * NRW); c01.intoArray(tile, 0 * NRW + LN);
        c10.intoArray(tile, 1 * NRW); c11.intoArray(tile, 1 * NRW + LN);
        c20.intoArray(tile, 2 * NRW); c21.intoArray(tile, 2 * NRW + LN);
        c30.intoArray(tile, 3 * NRW); c31.intoArray(tile, 3 * NRW + LN);
        c40.intoArray(tile, 4 * NRW); c41.intoArray(tile, 4 * NRW + LN);
        c50.intoArray(tile, 5 * NRW); c51.intoArray(tile, 5 * NRW + LN);
        c60.intoArray(tile, 6 * NRW); c61.intoArray(tile, 6 * NRW + LN);
        c70.intoArray(tile, 7 * NRW); c71.intoArray(tile, 7 * NRW + LN);
    }

    /** The 12 x 2-vector tile: {@code tile[r*NRW + j] = sum_p a[ai + p*12 + r] * b[bi + p*NRW + j]}. */
    static void kernel12x2(int kc, float[] a, int ai, float[] b, int bi, float[] tile) {
        if (kc < 0) {
            return; // a call that only counts towards the JIT's thresholds (see WarmUpProbes)
        }
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        FloatVector c80 = FloatVector.zero(S), c81 = FloatVector.zero(S);
        FloatVector c90 = FloatVector.zero(S), c91 = FloatVector.zero(S);
        FloatVector c100 = FloatVector.zero(S), c101 = FloatVector.zero(S);
        FloatVector c110 = FloatVector.zero(S), c111 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int ao = ai + p * 12;
            int bo = bi + p * NRW;
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + LN);
            FloatVector a0 = FloatVector.broadcast(S, a[ao]);
            c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, a[ao + 1]);
            c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, a[ao + 2]);
            c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, a[ao + 3]);
            c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, a[ao + 4]);
            c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, a[ao + 5]);
            c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51);
            FloatVector a6 = FloatVector.broadcast(S, a[ao + 6]);
            c60 = a6.fma(b0, c60); c61 = a6.fma(b1, c61);
            FloatVector a7 = FloatVector.broadcast(S, a[ao + 7]);
            c70 = a7.fma(b0, c70); c71 = a7.fma(b1, c71);
            FloatVector a8 = FloatVector.broadcast(S, a[ao + 8]);
            c80 = a8.fma(b0, c80); c81 = a8.fma(b1, c81);
            FloatVector a9 = FloatVector.broadcast(S, a[ao + 9]);
            c90 = a9.fma(b0, c90); c91 = a9.fma(b1, c91);
            FloatVector a10 = FloatVector.broadcast(S, a[ao + 10]);
            c100 = a10.fma(b0, c100); c101 = a10.fma(b1, c101);
            FloatVector a11 = FloatVector.broadcast(S, a[ao + 11]);
            c110 = a11.fma(b0, c110); c111 = a11.fma(b1, c111);
        }
        c00.intoArray(tile, 0 * NRW); c01.intoArray(tile, 0 * NRW + LN);
        c10.intoArray(tile, 1 * NRW); c11.intoArray(tile, 1 * NRW + LN);
        c20.intoArray(tile, 2 * NRW); c21.intoArray(tile, 2 * NRW + LN);
        c30.intoArray(tile, 3 * NRW); c31.intoArray(tile, 3 * NRW + LN);
        c40.intoArray(tile, 4 * NRW); c41.intoArray(tile, 4 * NRW + LN);
        c50.intoArray(tile, 5 * NRW); c51.intoArray(tile, 5 * NRW + LN);
        c60.intoArray(tile, 6 * NRW); c61.intoArray(tile, 6 * NRW + LN);
        c70.intoArray(tile, 7 * NRW); c71.intoArray(tile, 7 * NRW + LN);
        c80.intoArray(tile, 8 * NRW); c81.intoArray(tile, 8 * NRW + LN);
        c90.intoArray(tile, 9 * NRW); c91.intoArray(tile, 9 * NRW + LN);
        c100.intoArray(tile, 10 * NRW); c101.intoArray(tile, 10 * NRW + LN);
        c110.intoArray(tile, 11 * NRW); c111.intoArray(tile, 11 * NRW + LN);
    }
}
