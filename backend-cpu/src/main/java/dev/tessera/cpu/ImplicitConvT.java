package dev.tessera.cpu;

import dev.tessera.spi.Conv2dSpec;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The input gradient of a convolution as a transposed implicit GEMM with the Java Vector API, for
 * any stride, padding and dilation. On the virtual grid of a {@link ConvGrid}, the forward reads
 * {@code P[rowOff[k] + j]} for tap {@code k} and grid column {@code j}; its adjoint adds
 *
 * <pre>
 * dP[rowOff[k] + j] += sum over o of W[o, k] * dYv[o, j]
 * </pre>
 *
 * where {@code dYv} is the output gradient on the grid (garbage columns zero). A register tile of
 * {@value #MR} taps x {@code NR} grid columns is accumulated over the output channels (weights
 * broadcast from a packed {@code [tap panel][o][MR]} copy, {@code dYv} read with unit stride), then
 * added row by row into {@code dP}; finally {@code dP} is folded back to NCHW ({@link
 * ConvGrid#disarrange}), dropping padding. Unlike the flipped-kernel formulation it does no work on
 * padding, and unlike col2im it never materialises the unfolded gradient.
 *
 * <p>Only {@link ConvKernels} refers to this class, and only when the Vector API is available.
 */
final class ImplicitConvT {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int LN = S.length();
    /** Taps per register tile. */
    static final int MR = 8;
    /** Grid columns per register tile. */
    static final int NR = 2 * LN;

    private ImplicitConvT() {
    }

    /** The weight as {@code [g][tap panel][o][MR]}: entry {@code r} of panel {@code tp} is tap {@code tp*MR + r} (0 past the last). */
    private static float[] packTransposed(float[] w, int wOff, Conv2dSpec s) {
        int k = s.inPerGroup() * s.kernelSize();
        int ocg = s.outPerGroup();
        int panels = (k + MR - 1) / MR;
        float[] at = new float[s.groups() * panels * ocg * MR];
        for (int g = 0; g < s.groups(); g++) {
            for (int o = 0; o < ocg; o++) {
                int src = wOff + (g * ocg + o) * k;
                for (int q = 0; q < k; q++) {
                    at[((g * panels + q / MR) * ocg + o) * MR + q % MR] = w[src + q];
                }
            }
        }
        return at;
    }

    /** {@code gx += input gradient of gy}; arrays with offsets of the first image. */
    static void backwardInput(float[] gy, int gyOff, float[] w, int wOff, Conv2dSpec s, float[] gx, int gxOff) {
        ConvGrid gr = new ConvGrid(s, NR);
        float[] at = packTransposed(w, wOff, s);
        int k = s.inPerGroup() * s.kernelSize();
        int panels = (k + MR - 1) / MR;
        int tiles = (gr.j + NR - 1) / NR;
        int jpad = tiles * NR;
        int oc = s.outChannels();
        int imageIn = s.inChannels() * s.height() * s.width();
        int imageOut = oc * s.outH() * s.outW();
        Job job = new Job(s, gr, at, k, panels, jpad);
        // Images spread over the pool, each image's tiles in order into one dP: tiles overlap in
        // dP, so splitting them over tasks would change the order of the sums with the thread count.
        CpuPool.parallelFor(s.batch(), ConvGemm.grain(s.multiplyAdds() / s.batch()), (from, to) -> {
            float[] dp = ConvGemm.take(gr.size + NR);
            float[] d = ConvGemm.take(oc * jpad);
            float[] tile = new float[MR * NR];
            for (int n = from; n < to; n++) {
                job.onGrid(gy, gyOff + n * imageOut, d);
                java.util.Arrays.fill(dp, 0, gr.size + NR, 0f);
                for (int g = 0; g < s.groups(); g++) {
                    job.run(d, dp, g, 0, tiles, tile);
                }
                gr.disarrange(dp, gx, gxOff + n * imageIn);
            }
            ConvGemm.give(dp);
            ConvGemm.give(d);
        });
    }

    /** One call's shared state. */
    private record Job(Conv2dSpec s, ConvGrid gr, float[] at, int k, int panels, int jpad) {

        /** Lays image {@code gy[go]} on the grid in {@code d} ({@code [OC][jpad]}), garbage and tail zero. */
        void onGrid(float[] gy, int go, float[] d) {
            int oh = s.outH();
            int ow = s.outW();
            for (int o = 0; o < s.outChannels(); o++) {
                int row = o * jpad;
                for (int y = 0; y < oh; y++) {
                    int dst = row + y * gr.wq;
                    System.arraycopy(gy, go + (o * oh + y) * ow, d, dst, ow);
                    java.util.Arrays.fill(d, dst + ow, dst + gr.wq, 0f);
                }
                java.util.Arrays.fill(d, row + gr.j, row + jpad, 0f);
            }
        }

        /** Grid tiles {@code [from, to)} of group {@code g}: every tap panel's tile added into {@code dp}. */
        void run(float[] d, float[] dp, int g, int from, int to, float[] tile) {
            int ocg = s.outPerGroup();
            int base = gr.groupBase(g);
            for (int t = from; t < to; t++) {
                int j0 = t * NR;
                for (int tp = 0; tp < panels; tp++) {
                    kernel(ocg, at, (g * panels + tp) * ocg * MR, d, g * ocg * jpad + j0, jpad, tile);
                    int rows = Math.min(MR, k - tp * MR);
                    for (int r = 0; r < rows; r++) {
                        int dst = base + gr.rowOff[tp * MR + r] + j0;
                        for (int v = 0; v < NR; v += LN) {
                            FloatVector.fromArray(S, dp, dst + v).add(FloatVector.fromArray(S, tile, r * NR + v))
                                    .intoArray(dp, dst + v);
                        }
                    }
                }
            }
        }
    }

    /**
     * The register tile: {@code tile[r*NR + c] = sum over q < kc of at[ai + q*MR + r] * d[bi +
     * q*dStride + c]}: 16 accumulators, two unit-stride B vectors and a broadcast per step.
     */
    private static void kernel(int kc, float[] at, int ai, float[] d, int bi, int dStride, float[] tile) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        for (int q = 0; q < kc; q++) {
            FloatVector b0 = FloatVector.fromArray(S, d, bi);
            FloatVector b1 = FloatVector.fromArray(S, d, bi + LN);
            FloatVector a0 = FloatVector.broadcast(S, at[ai]);
            c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, at[ai + 1]);
            c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, at[ai + 2]);
            c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, at[ai + 3]);
            c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, at[ai + 4]);
            c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, at[ai + 5]);
            c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51);
            FloatVector a6 = FloatVector.broadcast(S, at[ai + 6]);
            c60 = a6.fma(b0, c60); c61 = a6.fma(b1, c61);
            FloatVector a7 = FloatVector.broadcast(S, at[ai + 7]);
            c70 = a7.fma(b0, c70); c71 = a7.fma(b1, c71);
            ai += MR;
            bi += dStride;
        }
        c00.intoArray(tile, 0); c01.intoArray(tile, LN);
        c10.intoArray(tile, NR); c11.intoArray(tile, NR + LN);
        c20.intoArray(tile, 2 * NR); c21.intoArray(tile, 2 * NR + LN);
        c30.intoArray(tile, 3 * NR); c31.intoArray(tile, 3 * NR + LN);
        c40.intoArray(tile, 4 * NR); c41.intoArray(tile, 4 * NR + LN);
        c50.intoArray(tile, 5 * NR); c51.intoArray(tile, 5 * NR + LN);
        c60.intoArray(tile, 6 * NR); c61.intoArray(tile, 6 * NR + LN);
        c70.intoArray(tile, 7 * NR); c71.intoArray(tile, 7 * NR + LN);
    }
}
