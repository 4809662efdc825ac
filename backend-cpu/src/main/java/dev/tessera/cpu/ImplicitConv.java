package dev.tessera.cpu;

import dev.tessera.spi.Conv2dSpec;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Convolution forward as an implicit GEMM with the Java Vector API: {@code Y[o, j] = sum over taps
 * k of W[o, k] * P[rowOff[k] + j]} on the virtual output grid of a {@link ConvGrid}. The weight is
 * packed once per call into panels of {@value #MR} output channels; the input is never unfolded:
 * the register kernel (an {@value #MR} x {@code NR} tile of 16 vector accumulators, as in {@link
 * VectorGemm}) loads its two B vectors per tap straight from the arranged image at {@code rowOff[k]
 * + j0}. The taps are split into at most {@value #KC}-long blocks so that a tile's B rows stay in
 * the L1/L2 cache while all the output-channel panels reuse them. Tiles are written to the NCHW
 * output directly, skipping the grid's garbage columns; the bias is added per image at the end.
 *
 * <p>Only {@link ConvKernels} refers to this class, and only when {@link Gemm#implementation()} is
 * {@code "vector"}, so it is never loaded on a JVM without the {@code jdk.incubator.vector} module.
 */
final class ImplicitConv {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Floats per vector. */
    static final int LN = S.length();
    /** Output channels per register tile. */
    static final int MR = 8;
    /** Grid columns per register tile: two vectors. */
    static final int NR = 2 * LN;
    /** Most taps per block. */
    static final int KC = 512;

    private ImplicitConv() {
    }

    /** The weight {@code [OC, C/g, kH, kW]} as panels {@code [g][panel][k][MR]}, rows past a group's channels zero. */
    private static float[] packWeights(float[] w, int wOff, Conv2dSpec s) {
        int k = s.inPerGroup() * s.kernelSize();
        int ocg = s.outPerGroup();
        int panels = (ocg + MR - 1) / MR;
        float[] ap = new float[s.groups() * panels * k * MR];
        for (int g = 0; g < s.groups(); g++) {
            for (int o = 0; o < ocg; o++) {
                int src = wOff + (g * ocg + o) * k;
                int dst = (g * panels + o / MR) * k * MR + o % MR;
                for (int q = 0; q < k; q++) {
                    ap[dst + q * MR] = w[src + q];
                }
            }
        }
        return ap;
    }

    /** {@code out = conv(x, w) + bias} (or {@code out +=} when {@code accumulate}); bias may be null. */
    static void forward(float[] x, int xOff, float[] w, int wOff, float[] bias, int bOff, Conv2dSpec s, float[] out, int oOff,
                        boolean accumulate) {
        ConvGrid gr = new ConvGrid(s, NR);
        float[] ap = packWeights(w, wOff, s);
        int k = s.inPerGroup() * s.kernelSize();
        int panels = (s.outPerGroup() + MR - 1) / MR;
        int tiles = (gr.j + NR - 1) / NR;
        int units = tiles * panels;
        int imageIn = s.inChannels() * s.height() * s.width();
        int imageOut = s.outChannels() * s.outH() * s.outW();
        Job job = new Job(s, gr, ap, k, panels, bias, bOff, out, accumulate);
        if (ConvGemm.imageParallel(s.batch())) {
            CpuPool.parallelFor(s.batch(), ConvGemm.grain(s.multiplyAdds() / s.batch()), (from, to) -> {
                float[] p = ConvGemm.take(gr.size);
                float[] tile = new float[MR * NR];
                for (int n = from; n < to; n++) {
                    gr.arrange(x, xOff + n * imageIn, p);
                    for (int g = 0; g < s.groups(); g++) {
                        job.run(p, g, oOff + n * imageOut, 0, units, tile);
                    }
                    job.finish(oOff + n * imageOut);
                }
                ConvGemm.give(p);
            });
        } else {
            float[] p = ConvGemm.take(gr.size);
            int grain = (int) Math.max(1, (1L << 18) / ((long) k * MR * NR));
            for (int n = 0; n < s.batch(); n++) {
                gr.arrange(x, xOff + n * imageIn, p);
                int oo = oOff + n * imageOut;
                for (int g = 0; g < s.groups(); g++) {
                    int gg = g;
                    CpuPool.parallelFor(units, grain, (from, to) -> job.run(p, gg, oo, from, to, new float[MR * NR]));
                }
                job.finish(oo);
            }
            ConvGemm.give(p);
        }
    }

    /** One call's shared state; {@link #run} computes a range of (tile, panel) units of one image and group. */
    private record Job(Conv2dSpec s, ConvGrid gr, float[] ap, int k, int panels, float[] bias, int bOff, float[] out,
                       boolean accumulate) {

        void run(float[] p, int g, int oo, int from, int to, float[] tile) {
            int blocks = (k + KC - 1) / KC;
            int kc0 = (k + blocks - 1) / blocks;
            int base = gr.groupBase(g);
            int ocg = s.outPerGroup();
            for (int kb = 0; kb < k; kb += kc0) {
                int kc = Math.min(kc0, k - kb);
                for (int u = from; u < to; u++) {
                    int t = u / panels;
                    int ip = u % panels;
                    kernel(kc, ap, ((g * panels + ip) * k + kb) * MR, p, gr.rowOff, kb, base + t * NR, tile);
                    store(tile, Math.min(MR, ocg - ip * MR), g * ocg + ip * MR, t * NR, kb == 0, oo);
                }
            }
        }

        /**
         * Writes (first pass, unless accumulating) or adds a finished tile of {@code rows} output
         * channels from {@code oc0} and grid columns from {@code j0} into the image at {@code
         * out[oo]}, dropping garbage columns: row segment by row segment, each a copy or an add
         * loop the JIT vectorises. The bias is added afterwards, in {@link #finish}.
         */
        void store(float[] tile, int rows, int oc0, int j0, boolean first, int oo) {
            int oh = s.outH();
            int ow = s.outW();
            int wq = gr.wq;
            int l = oh * ow;
            boolean overwrite = first && !accumulate;
            int oy = j0 / wq;
            int ox = j0 - oy * wq;
            for (int c = 0; c < NR && oy < oh; ) {
                int len = Math.min(NR - c, ow - ox);
                if (len > 0) {
                    int d = oo + oc0 * l + oy * ow + ox;
                    for (int r = 0; r < rows; r++) {
                        int src = r * NR + c;
                        int dst = d + r * l;
                        if (overwrite) {
                            System.arraycopy(tile, src, out, dst, len);
                        } else {
                            for (int i = 0; i < len; i++) {
                                out[dst + i] += tile[src + i];
                            }
                        }
                    }
                }
                c += wq - ox;
                ox = 0;
                oy++;
            }
        }

        /** Adds the bias to the image at {@code out[oo]}, once all tiles are stored. */
        void finish(int oo) {
            if (bias != null) {
                ConvKernels.addBias(out, oo, s.outChannels(), s.outH() * s.outW(), bias, bOff);
            }
        }
    }

    /**
     * The register tile: {@code tile[r*NR + c] = sum over q < kc of ap[ai + q*MR + r] * p[rowOff[ro +
     * q] + bj + c]}. 16 accumulators, two B vectors and a broadcast fit the 32 AVX-512 registers.
     */
    private static void kernel(int kc, float[] ap, int ai, float[] p, int[] rowOff, int ro, int bj, float[] tile) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        for (int q = 0; q < kc; q++) {
            int bi = rowOff[ro + q] + bj;
            FloatVector b0 = FloatVector.fromArray(S, p, bi);
            FloatVector b1 = FloatVector.fromArray(S, p, bi + LN);
            FloatVector a0 = FloatVector.broadcast(S, ap[ai]);
            c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, ap[ai + 1]);
            c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, ap[ai + 2]);
            c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, ap[ai + 3]);
            c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, ap[ai + 4]);
            c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, ap[ai + 5]);
            c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51);
            FloatVector a6 = FloatVector.broadcast(S, ap[ai + 6]);
            c60 = a6.fma(b0, c60); c61 = a6.fma(b1, c61);
            FloatVector a7 = FloatVector.broadcast(S, ap[ai + 7]);
            c70 = a7.fma(b0, c70); c71 = a7.fma(b1, c71);
            ai += MR;
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
