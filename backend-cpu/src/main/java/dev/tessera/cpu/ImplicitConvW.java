package dev.tessera.cpu;

import dev.tessera.spi.Conv2dSpec;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The weight gradient of a convolution as an implicit GEMM with the Java Vector API, for large
 * grids (where {@link ImplicitConvGrad}'s dot products would stream too much): on the virtual grid
 * of a {@link ConvGrid},
 *
 * <pre>
 * dW[o, k] = sum over images and grid columns j of P[rowOff[k] + j] * dYv[o, j]
 * </pre>
 *
 * computed transposed, as {@code dW^T [taps x OC]}: a register tile of {@value #MR} taps x {@code
 * NR} output channels, whose A values are broadcast straight from the arranged image (8 rows, each
 * read with unit stride, nothing unfolded) and whose B vectors come from the output gradient
 * transposed once per image to {@code [j][OC]} (garbage columns zero). The grid is split into
 * {@value #JC}-column blocks so the B block stays in cache while every tap panel reuses it.
 *
 * <p>Only {@link ConvKernels} refers to this class, and only when the Vector API is available.
 */
final class ImplicitConvW {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int LN = S.length();
    /** Taps per register tile. */
    static final int MR = 8;
    /** Output channels per register tile. */
    static final int NR = 2 * LN;
    /** Grid columns per block. */
    static final int JC = 256;

    private ImplicitConvW() {
    }

    /** {@code gw += weight gradient}; arrays with offsets of the first image. */
    static void backwardWeight(float[] x, int xOff, float[] gy, int gyOff, Conv2dSpec s, float[] gw, int gwOff) {
        ConvGrid gr = new ConvGrid(s, NR);
        int k = s.inPerGroup() * s.kernelSize();
        int ocg = s.outPerGroup();
        int ocp = (ocg + NR - 1) / NR * NR;
        int tapPanels = (k + MR - 1) / MR;
        int imageIn = s.inChannels() * s.height() * s.width();
        int imageOut = s.outChannels() * s.outH() * s.outW();
        int accSize = s.groups() * tapPanels * MR * ocp;
        int panelGrain = (int) Math.max(1, (1L << 18) / ((long) gr.j * MR * ocp));
        ConvGemm.sumSlices(s.batch(), ConvGemm.grain(s.multiplyAdds() / s.batch()), (from, to, parallelInner) -> {
            float[] p = ConvGemm.take(gr.size);
            float[] dt = ConvGemm.take(s.groups() * gr.j * ocp);
            float[] acc = ConvGemm.takeZeroed(accSize);
            for (int n = from; n < to; n++) {
                gr.arrange(x, xOff + n * imageIn, p);
                transpose(gy, gyOff + n * imageOut, s, gr, ocp, dt);
                // Tap panels own disjoint rows of acc: splitting them over the pool changes no sum.
                CpuPool.parallelFor(tapPanels, parallelInner ? panelGrain : tapPanels, (p0, p1) -> {
                    float[] tile = new float[MR * NR];
                    for (int g = 0; g < s.groups(); g++) {
                        run(p, dt, gr, g, k, ocp, p0, p1, acc, tile);
                    }
                });
            }
            ConvGemm.give(p);
            ConvGemm.give(dt);
            return acc;
        }, acc -> merge(acc, s, k, ocp, gw, gwOff));
    }

    /** {@code dt[g][j][o] = dY on the grid}, transposed; garbage columns and padding channels zero. */
    private static void transpose(float[] gy, int go, Conv2dSpec s, ConvGrid gr, int ocp, float[] dt) {
        int oh = s.outH();
        int ow = s.outW();
        int ocg = s.outPerGroup();
        java.util.Arrays.fill(dt, 0, s.groups() * gr.j * ocp, 0f);
        for (int g = 0; g < s.groups(); g++) {
            int gbase = g * gr.j * ocp;
            for (int o = 0; o < ocg; o++) {
                int src = go + (g * ocg + o) * oh * ow;
                for (int y = 0; y < oh; y++) {
                    int d = gbase + y * gr.wq * ocp + o;
                    int sr = src + y * ow;
                    for (int xx = 0; xx < ow; xx++) {
                        dt[d + xx * ocp] = gy[sr + xx];
                    }
                }
            }
        }
    }

    /** Tap panels {@code [from, to)} of group {@code g}: {@code acc[g][tap][o] += sum_j P[...] * dt[...]}. */
    private static void run(float[] p, float[] dt, ConvGrid gr, int g, int k, int ocp, int from, int to, float[] acc,
                            float[] tile) {
        int base = gr.groupBase(g);
        int dbase = g * gr.j * ocp;
        int tapPanels = (k + MR - 1) / MR;
        int[] row = new int[MR];
        for (int j0 = 0; j0 < gr.j; j0 += JC) {
            int jc = Math.min(JC, gr.j - j0);
            for (int c0 = 0; c0 < ocp; c0 += NR) {
                for (int tp = from; tp < to; tp++) {
                    for (int r = 0; r < MR; r++) {
                        row[r] = base + gr.rowOff[Math.min(tp * MR + r, k - 1)] + j0;
                    }
                    kernel(jc, p, row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], dt,
                            dbase + j0 * ocp + c0, ocp, tile);
                    int rows = Math.min(MR, k - tp * MR);
                    int a = ((g * tapPanels + tp) * MR) * ocp + c0;
                    for (int r = 0; r < rows; r++) {
                        for (int v = 0; v < NR; v += LN) {
                            int at = a + r * ocp + v;
                            FloatVector.fromArray(S, acc, at).add(FloatVector.fromArray(S, tile, r * NR + v)).intoArray(acc, at);
                        }
                    }
                }
            }
        }
    }

    /** {@code gw[g*ocg + o][k] += acc[g][k][o]}. */
    private static void merge(float[] acc, Conv2dSpec s, int k, int ocp, float[] gw, int gwOff) {
        int ocg = s.outPerGroup();
        int tapPanels = (k + MR - 1) / MR;
        for (int g = 0; g < s.groups(); g++) {
            for (int o = 0; o < ocg; o++) {
                int dst = gwOff + (g * ocg + o) * k;
                int src = g * tapPanels * MR * ocp + o;
                for (int q = 0; q < k; q++) {
                    gw[dst + q] += acc[src + q * ocp];
                }
            }
        }
    }

    /**
     * The register tile: {@code tile[r*NR + c] = sum over q < jc of p[row_r + q] * dt[bi + q*bStride +
     * c]}: 8 broadcasts from 8 image rows, two B vectors, 16 FMAs per step.
     */
    private static void kernel(int jc, float[] p, int r0, int r1, int r2, int r3, int r4, int r5, int r6, int r7, float[] dt,
                               int bi, int bStride, float[] tile) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        for (int q = 0; q < jc; q++) {
            FloatVector b0 = FloatVector.fromArray(S, dt, bi);
            FloatVector b1 = FloatVector.fromArray(S, dt, bi + LN);
            FloatVector a0 = FloatVector.broadcast(S, p[r0 + q]);
            c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, p[r1 + q]);
            c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, p[r2 + q]);
            c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, p[r3 + q]);
            c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, p[r4 + q]);
            c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, p[r5 + q]);
            c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51);
            FloatVector a6 = FloatVector.broadcast(S, p[r6 + q]);
            c60 = a6.fma(b0, c60); c61 = a6.fma(b1, c61);
            FloatVector a7 = FloatVector.broadcast(S, p[r7 + q]);
            c70 = a7.fma(b0, c70); c71 = a7.fma(b1, c71);
            bi += bStride;
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
