package dev.tessera.cpu;

import dev.tessera.spi.Conv2dSpec;

/**
 * Stride-1 convolutions without unfolding ("shifted GEMMs"). The image is copied once into a
 * zero-padded buffer {@code P [C, Hp, Wp]}; the output is computed on a "virtual" grid of {@code
 * outH} rows of {@code Wp} columns (the last {@code Wp - outW} columns of each row are garbage and
 * dropped). On that grid, the unfolded row of tap {@code (ky, kx)} of channel {@code c} is the
 * contiguous run {@code P[c, ky*dH*Wp + kx*dW + j]}, so for each tap the channels form a plain
 * matrix with leading dimension {@code Hp*Wp} that {@link ConvGemm} reads in place:
 *
 * <pre>
 * forward:      Yv_g  = sum over taps t of  W_g[:, :, t] x P_g shifted by t     (kH*kW products, k = C/g)
 * weight grad:  dW_g[:, :, t] += dYv_g x (P_g shifted by t)^T                   (dYv: dY on the grid, garbage 0)
 * </pre>
 *
 * The input gradient of a stride-1 convolution is itself a stride-1 convolution of {@code dY} with
 * the flipped, transposed kernel and padding {@code d(k-1) - p}, so {@link ConvKernels} runs it
 * through {@link #forward}. This avoids the im2col copy, which at 64 channels and 56x56 is 9 times
 * the image, and its memory traffic.
 */
final class ShiftedConv {
    private ShiftedConv() {
    }

    /** Padded width, height, virtual columns and the slack a shifted read may run past the last plane. */
    private record Grid(int hp, int wp, int plane, int j, int tail, boolean directInput, boolean directOutput) {
        static Grid of(Conv2dSpec s) {
            int hp = s.height() + 2 * s.padH();
            int wp = s.width() + 2 * s.padW();
            int tail = (s.kernelW() - 1) * s.dilationW();
            boolean directOut = wp == s.outW();
            boolean directIn = s.padH() == 0 && s.padW() == 0 && tail == 0;
            return new Grid(hp, wp, hp * wp, s.outH() * wp, tail, directIn, directOut);
        }

        int offset(Conv2dSpec s, int t) {
            return (t / s.kernelW()) * s.dilationH() * wp + (t % s.kernelW()) * s.dilationW();
        }
    }

    /** Copies image {@code x[xo]} {@code [C, H, W]} into the padded buffer {@code p}, zeroing the border and the tail. */
    private static void pad(float[] x, int xo, Conv2dSpec s, Grid gr, float[] p) {
        int h = s.height();
        int w = s.width();
        int ph = s.padH();
        int pw = s.padW();
        for (int c = 0; c < s.inChannels(); c++) {
            int base = c * gr.plane;
            int src = xo + c * h * w;
            java.util.Arrays.fill(p, base, base + ph * gr.wp, 0f);
            for (int y = 0; y < h; y++) {
                int row = base + (y + ph) * gr.wp;
                if (pw > 0) {
                    java.util.Arrays.fill(p, row, row + pw, 0f);
                    java.util.Arrays.fill(p, row + pw + w, row + gr.wp, 0f);
                }
                System.arraycopy(x, src + y * w, p, row + pw, w);
            }
            java.util.Arrays.fill(p, base + (ph + h) * gr.wp, base + gr.plane, 0f);
        }
        int end = s.inChannels() * gr.plane;
        java.util.Arrays.fill(p, end, end + gr.tail, 0f);
    }

    /** The weight rearranged as {@code [kH*kW][OC][C/g]}, one plain matrix per tap. */
    private static float[] byTap(float[] w, int wOff, Conv2dSpec s) {
        int kk = s.kernelSize();
        int oc = s.outChannels();
        int cg = s.inPerGroup();
        float[] r = new float[kk * oc * cg];
        for (int o = 0; o < oc; o++) {
            for (int c = 0; c < cg; c++) {
                int src = wOff + (o * cg + c) * kk;
                for (int t = 0; t < kk; t++) {
                    r[(t * oc + o) * cg + c] = w[src + t];
                }
            }
        }
        return r;
    }

    /** {@code out = conv(x, w) + bias} (or {@code out +=} when {@code accumulate}) for stride 1; bias may be null. */
    static void forward(float[] x, int xOff, float[] w, int wOff, float[] bias, int bOff, Conv2dSpec s, float[] out, int oOff,
                        boolean accumulate) {
        Grid gr = Grid.of(s);
        float[] wt = byTap(w, wOff, s);
        int oc = s.outChannels();
        int ocg = s.outPerGroup();
        int cg = s.inPerGroup();
        int l = s.colCols();
        int kk = s.kernelSize();
        int imageIn = s.inChannels() * s.height() * s.width();
        ConvKernels.forEachImage(s.batch(), s.multiplyAdds() / s.batch(), (from, to, par) -> {
            float[] p = gr.directInput ? null : ConvGemm.take(s.inChannels() * gr.plane + gr.tail);
            float[] yv = gr.directOutput ? null : ConvGemm.take(oc * gr.j);
            for (int n = from; n < to; n++) {
                int xo = xOff + n * imageIn;
                int oo = oOff + n * oc * l;
                if (!gr.directInput) {
                    pad(x, xo, s, gr, p);
                }
                float[] pm = gr.directInput ? x : p;
                int po = gr.directInput ? xo : 0;
                float[] c = gr.directOutput ? out : yv;
                int co = gr.directOutput ? oo : 0;
                for (int g = 0; g < s.groups(); g++) {
                    for (int t = 0; t < kk; t++) {
                        float beta = t > 0 || (gr.directOutput && accumulate) ? 1f : 0f;
                        ConvGemm.sgemm(par, false, false, ocg, gr.j, cg, wt, (t * oc + g * ocg) * cg, cg,
                                pm, po + g * cg * gr.plane + gr.offset(s, t), gr.plane, beta, c, co + g * ocg * gr.j, gr.j);
                    }
                }
                if (gr.directOutput) {
                    if (bias != null) {
                        ConvKernels.addBias(out, oo, oc, l, bias, bOff);
                    }
                } else {
                    compact(yv, s, gr, bias, bOff, out, oo, accumulate);
                }
            }
            ConvGemm.give(p);
            ConvGemm.give(yv);
        });
    }

    /** Drops the garbage columns of the virtual output {@code yv} into {@code out[oo]}, adding the bias. */
    private static void compact(float[] yv, Conv2dSpec s, Grid gr, float[] bias, int bOff, float[] out, int oo,
                                boolean accumulate) {
        int oh = s.outH();
        int ow = s.outW();
        for (int o = 0; o < s.outChannels(); o++) {
            float b = bias == null ? 0f : bias[bOff + o];
            for (int y = 0; y < oh; y++) {
                int src = o * gr.j + y * gr.wp;
                int dst = oo + (o * oh + y) * ow;
                if (accumulate) {
                    for (int i = 0; i < ow; i++) {
                        out[dst + i] += yv[src + i] + b;
                    }
                } else {
                    for (int i = 0; i < ow; i++) {
                        out[dst + i] = yv[src + i] + b;
                    }
                }
            }
        }
    }

    /** {@code gw += conv2d weight gradient} for stride 1; arrays with offsets of the first image. */
    static void backwardWeight(float[] x, int xOff, float[] gy, int gyOff, Conv2dSpec s, float[] gw, int gwOff) {
        Grid gr = Grid.of(s);
        int oc = s.outChannels();
        int ocg = s.outPerGroup();
        int cg = s.inPerGroup();
        int oh = s.outH();
        int ow = s.outW();
        int l = s.colCols();
        int kk = s.kernelSize();
        int imageIn = s.inChannels() * s.height() * s.width();
        ConvGemm.sumSlices(s.batch(), ConvGemm.grain(s.multiplyAdds() / s.batch()), (from, to, par) -> {
            float[] p = gr.directInput ? null : ConvGemm.take(s.inChannels() * gr.plane + gr.tail);
            float[] dyv = gr.directOutput ? null : ConvGemm.take(oc * gr.j);
            float[] acc = ConvGemm.takeZeroed(kk * oc * cg);
            for (int n = from; n < to; n++) {
                int xo = xOff + n * imageIn;
                int go = gyOff + n * oc * l;
                if (!gr.directInput) {
                    pad(x, xo, s, gr, p);
                }
                if (!gr.directOutput) {
                    for (int o = 0; o < oc; o++) {
                        for (int y = 0; y < oh; y++) {
                            int d = o * gr.j + y * gr.wp;
                            System.arraycopy(gy, go + (o * oh + y) * ow, dyv, d, ow);
                            java.util.Arrays.fill(dyv, d + ow, d + gr.wp, 0f);
                        }
                    }
                }
                float[] pm = gr.directInput ? x : p;
                int po = gr.directInput ? xo : 0;
                float[] am = gr.directOutput ? gy : dyv;
                int ao = gr.directOutput ? go : 0;
                for (int g = 0; g < s.groups(); g++) {
                    for (int t = 0; t < kk; t++) {
                        // op(B) = (P_g shifted by t)^T, J x C/g, stored as C/g rows of stride Hp*Wp.
                        ConvGemm.sgemm(par, false, true, ocg, cg, gr.j, am, ao + g * ocg * gr.j, gr.j,
                                pm, po + g * cg * gr.plane + gr.offset(s, t), gr.plane, 1f, acc, (t * oc + g * ocg) * cg, cg);
                    }
                }
            }
            ConvGemm.give(p);
            ConvGemm.give(dyv);
            return acc;
        }, acc -> {
            for (int o = 0; o < oc; o++) {
                for (int c = 0; c < cg; c++) {
                    int dst = gwOff + (o * cg + c) * kk;
                    for (int t = 0; t < kk; t++) {
                        gw[dst + t] += acc[(t * oc + o) * cg + c];
                    }
                }
            }
        });
    }
}
