package dev.tessera.cpu;

import dev.tessera.spi.Conv2dSpec;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The weight gradient of a convolution as dot products over the virtual grid of a {@link
 * ConvGrid}, with the Java Vector API: {@code dW[o, k] = sum over images and grid columns j of
 * dYv[o, j] * P[rowOff[k] + j]}, where {@code dYv} is the output gradient laid out on the grid with
 * its garbage columns zero. Both operands are contiguous along {@code j}, so nothing is unfolded or
 * packed: a register kernel takes 4 taps x 4 output channels (16 vector accumulators, 8 loads per
 * 16 FMAs). Lane-wise partial sums are kept per (channel, tap) across all the images of a task and
 * reduced across lanes once at the end, so short grids (small images) do not pay a horizontal
 * reduction per image.
 *
 * <p>Meant for convolutions whose grid, taps and channels are small (LeNet-sized): {@link
 * #fits} says when; the partial sums take {@code OC * taps * lanes} floats per task. Only {@link
 * ConvKernels} refers to this class, and only when the Vector API is available.
 */
final class ImplicitConvGrad {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int LN = S.length();
    /** Largest lane-wise partial-sum buffer (floats) worth keeping per task. */
    private static final long MAX_PARTIALS = 1L << 20;
    /** Largest grid (floats of arranged image plus dY) for which this path beats the GEMM ones. */
    private static final long MAX_GRID = 1L << 17;

    private ImplicitConvGrad() {
    }

    /** Whether this path suits {@code s}: small grids and few (channel, tap) pairs. */
    static boolean fits(Conv2dSpec s) {
        ConvGrid gr = new ConvGrid(s, LN);
        long taps = (long) s.inPerGroup() * s.kernelSize();
        return (long) s.outChannels() * taps * LN <= MAX_PARTIALS
                && (long) gr.size + (long) s.outChannels() * gr.j <= MAX_GRID;
    }

    /** {@code gw += weight gradient}; arrays with offsets of the first image. */
    static void backwardWeight(float[] x, int xOff, float[] gy, int gyOff, Conv2dSpec s, float[] gw, int gwOff) {
        ConvGrid gr = new ConvGrid(s, LN);
        int k = s.inPerGroup() * s.kernelSize();
        int oc = s.outChannels();
        int jp = (gr.j + LN - 1) / LN * LN;
        int pStride = gr.size + jp;
        int dStride = oc * jp;
        int imageIn = s.inChannels() * s.height() * s.width();
        int imageOut = oc * s.outH() * s.outW();
        // Images stacked per pass, so that a tile's accumulators run over all of them.
        int stack = (int) Math.max(1, MAX_GRID / (pStride + dStride));
        int grain = ConvGemm.grain(s.multiplyAdds() / s.batch());
        ConvGemm.sumSlices(s.batch(), grain, (from, to, parallelInner) -> {
            int cap = Math.min(stack, to - from);
            float[] p = ConvGemm.take(cap * pStride);
            float[] d = ConvGemm.take(cap * dStride);
            float[] partial = ConvGemm.takeZeroed(oc * k * LN);
            for (int n0 = from; n0 < to; n0 += cap) {
                int nb = Math.min(cap, to - n0);
                for (int i = 0; i < nb; i++) {
                    gr.arrange(x, xOff + (n0 + i) * imageIn, p, i * pStride);
                    java.util.Arrays.fill(p, i * pStride + gr.size, (i + 1) * pStride, 0f);
                    onGrid(gy, gyOff + (n0 + i) * imageOut, s, gr, jp, d, i * dStride);
                }
                for (int g = 0; g < s.groups(); g++) {
                    accumulate(p, gr.groupBase(g), pStride, gr.rowOff, d, dStride, nb, g * s.outPerGroup(),
                            s.outPerGroup(), k, jp, partial);
                }
            }
            ConvGemm.give(p);
            ConvGemm.give(d);
            return partial;
        }, partial -> {
            for (int i = 0; i < oc * k; i++) {
                gw[gwOff + i] += FloatVector.fromArray(S, partial, i * LN).reduceLanes(VectorOperators.ADD);
            }
        });
    }

    /** Lays image {@code gy[go]} ({@code [OC, outH, outW]}) on the grid: {@code d[dOff + o * jp + oy * wq + ox]}, the rest zero. */
    private static void onGrid(float[] gy, int go, Conv2dSpec s, ConvGrid gr, int jp, float[] d, int dOff) {
        int oh = s.outH();
        int ow = s.outW();
        for (int o = 0; o < s.outChannels(); o++) {
            int row = dOff + o * jp;
            for (int y = 0; y < oh; y++) {
                int dst = row + y * gr.wq;
                System.arraycopy(gy, go + (o * oh + y) * ow, d, dst, ow);
                java.util.Arrays.fill(d, dst + ow, dst + gr.wq, 0f);
            }
            java.util.Arrays.fill(d, row + gr.j, row + jp, 0f);
        }
    }

    /**
     * Adds, for output channels {@code [o0, o0 + ocg)} and every tap, the lane-wise products of the
     * grid rows of {@code nb} stacked images into {@code partial[((o * k) + tap) * LN]}. Tiles of 4
     * taps x 4 channels; a partial tile repeats its last tap or channel and keeps only the real ones.
     */
    private static void accumulate(float[] p, int base, int pStride, int[] rowOff, float[] d, int dStride, int nb, int o0,
                                   int ocg, int k, int jp, float[] partial) {
        float[] tile = new float[16 * LN];
        int[] pa = new int[4];
        int[] da = new int[4];
        for (int t0 = 0; t0 < k; t0 += 4) {
            int taps = Math.min(4, k - t0);
            for (int t = 0; t < 4; t++) {
                pa[t] = base + rowOff[t0 + Math.min(t, taps - 1)];
            }
            for (int c0 = 0; c0 < ocg; c0 += 4) {
                int chans = Math.min(4, ocg - c0);
                for (int c = 0; c < 4; c++) {
                    da[c] = (o0 + c0 + Math.min(c, chans - 1)) * jp;
                }
                kernel(p, pa[0], pa[1], pa[2], pa[3], pStride, d, da[0], da[1], da[2], da[3], dStride, nb, jp, tile);
                int row = (o0 + c0) * k + t0;
                for (int t = 0; t < taps; t++) {
                    for (int c = 0; c < chans; c++) {
                        add(partial, (row + c * k + t) * LN, tile, (t * 4 + c) * LN);
                    }
                }
            }
        }
    }

    /** {@code partial[at .. at+LN) += tile[from .. from+LN)}. */
    private static void add(float[] partial, int at, float[] tile, int from) {
        FloatVector.fromArray(S, partial, at).add(FloatVector.fromArray(S, tile, from)).intoArray(partial, at);
    }

    /**
     * The register kernel: {@code tile[(t*4 + c)*LN + lane]} = lane-wise sum over images i and grid
     * vectors of {@code p[pa_t + i*pStride + j] * d[da_c + i*dStride + j]}. Kept small (like {@link
     * VectorGemm}'s kernel) so that C2 inlines and intrinsifies every vector operation.
     */
    private static void kernel(float[] p, int pa0, int pa1, int pa2, int pa3, int pStride, float[] d, int d0, int d1,
                               int d2, int d3, int dStride, int nb, int jp, float[] tile) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c02 = FloatVector.zero(S), c03 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c12 = FloatVector.zero(S), c13 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c22 = FloatVector.zero(S), c23 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S), c32 = FloatVector.zero(S), c33 = FloatVector.zero(S);
        // One flat loop over all images (a nested loop kept C2 from intrinsifying the FMAs).
        int po = 0;
        int dd = 0;
        int j = 0;
        int steps = nb * (jp / LN);
        for (int q = 0; q < steps; q++) {
            FloatVector x0 = FloatVector.fromArray(S, p, pa0 + po + j);
            FloatVector x1 = FloatVector.fromArray(S, p, pa1 + po + j);
            FloatVector x2 = FloatVector.fromArray(S, p, pa2 + po + j);
            FloatVector x3 = FloatVector.fromArray(S, p, pa3 + po + j);
            FloatVector y = FloatVector.fromArray(S, d, d0 + dd + j);
            c00 = x0.fma(y, c00); c10 = x1.fma(y, c10); c20 = x2.fma(y, c20); c30 = x3.fma(y, c30);
            y = FloatVector.fromArray(S, d, d1 + dd + j);
            c01 = x0.fma(y, c01); c11 = x1.fma(y, c11); c21 = x2.fma(y, c21); c31 = x3.fma(y, c31);
            y = FloatVector.fromArray(S, d, d2 + dd + j);
            c02 = x0.fma(y, c02); c12 = x1.fma(y, c12); c22 = x2.fma(y, c22); c32 = x3.fma(y, c32);
            y = FloatVector.fromArray(S, d, d3 + dd + j);
            c03 = x0.fma(y, c03); c13 = x1.fma(y, c13); c23 = x2.fma(y, c23); c33 = x3.fma(y, c33);
            j += LN;
            if (j == jp) {
                j = 0;
                po += pStride;
                dd += dStride;
            }
        }
        c00.intoArray(tile, 0); c01.intoArray(tile, LN); c02.intoArray(tile, 2 * LN); c03.intoArray(tile, 3 * LN);
        c10.intoArray(tile, 4 * LN); c11.intoArray(tile, 5 * LN); c12.intoArray(tile, 6 * LN); c13.intoArray(tile, 7 * LN);
        c20.intoArray(tile, 8 * LN); c21.intoArray(tile, 9 * LN); c22.intoArray(tile, 10 * LN); c23.intoArray(tile, 11 * LN);
        c30.intoArray(tile, 12 * LN); c31.intoArray(tile, 13 * LN); c32.intoArray(tile, 14 * LN); c33.intoArray(tile, 15 * LN);
    }
}
