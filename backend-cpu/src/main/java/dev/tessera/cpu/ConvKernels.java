package dev.tessera.cpu;

import dev.tessera.spi.Conv2dSpec;
import dev.tessera.spi.View;

/**
 * The CPU backend's convolution kernels: picks a path for each call and spreads the images over
 * the pool.
 *
 * <ul>
 *   <li>depthwise ({@code groups == C}): {@link DepthwiseConv}, direct loops per plane;
 *   <li>1x1 with stride 1 and no padding: {@link UnfoldConv}, a plain GEMM on the image;
 *   <li>with the Vector API, implicit GEMMs on a padded (and, for strides above 1, phase-split)
 *       copy of the image, never unfolded ({@link ConvGrid}): {@link ImplicitConv} forward, {@link
 *       ImplicitConvT} input gradient, {@link ImplicitConvGrad} (small grids) or {@link
 *       ImplicitConvW} weight gradient;
 *   <li>without the Vector API (or when forced): stride 1 with at least {@link
 *       #SHIFTED_MIN_CHANNELS} input channels per group and rows wide enough that the padding
 *       wastes little: {@link ShiftedConv}, one GEMM per kernel tap on a padded copy of the image
 *       (the input gradient as the forward convolution of {@code dY} with the flipped, transposed
 *       kernel); everything else: {@link UnfoldConv}, im2col into a one-image scratch matrix and
 *       a GEMM, col2im for the input gradient.
 * </ul>
 *
 * <p>The system property {@value #PATH_PROPERTY} ({@code unfold} or {@code shifted}; read on every
 * call) forces one of the GEMM-based paths where it applies, to compare them or to test them on a
 * JVM that has the Vector API. All views are contiguous (core passes them so).
 */
final class ConvKernels {
    /** Input channels per group from which the shifted stride-1 path beats unfolding. */
    static final int SHIFTED_MIN_CHANNELS = 16;
    /** Output width from which the padding columns of the shifted path cost little enough. */
    static final int SHIFTED_MIN_WIDTH = 12;
    /** Diagnostic switch: {@code unfold} or {@code shifted} forces that path where it applies. */
    static final String PATH_PROPERTY = "tessera.conv.path";

    private ConvKernels() {
    }

    /** The body run for a range of images; {@code parallelGemm} says whether its products may use the pool. */
    @FunctionalInterface
    interface ImageRange {
        void run(int from, int to, boolean parallelGemm);
    }

    /**
     * Runs {@code body} over images {@code [0, n)}: split over the pool with single-threaded
     * products when every worker gets a fair share of whole images, else on the calling thread with
     * multithreaded products.
     */
    static void forEachImage(int n, long macsPerImage, ImageRange body) {
        if (ConvGemm.imageParallel(n)) {
            CpuPool.parallelFor(n, ConvGemm.grain(macsPerImage), (from, to) -> body.run(from, to, false));
        } else {
            body.run(0, n, true);
        }
    }

    /** Adds {@code bias[o]} to each of the {@code oc} rows of {@code l} floats at {@code out[off]}. */
    static void addBias(float[] out, int off, int oc, int l, float[] bias, int bOff) {
        for (int o = 0; o < oc; o++) {
            float b = bias[bOff + o];
            int r = off + o * l;
            for (int i = 0; i < l; i++) {
                out[r + i] += b;
            }
        }
    }

    private static String forced() {
        return System.getProperty(PATH_PROPERTY, "");
    }

    static boolean shifted(Conv2dSpec s) {
        boolean possible = s.strideH() == 1 && s.strideW() == 1 && !UnfoldConv.direct(s);
        String f = forced();
        if (f.equals("shifted") || f.equals("unfold")) {
            return possible && f.equals("shifted");
        }
        return possible && s.inPerGroup() >= SHIFTED_MIN_CHANNELS && s.outW() >= SHIFTED_MIN_WIDTH;
    }

    /** Whether the forward runs on {@link ImplicitConv}. */
    static boolean implicit(Conv2dSpec s) {
        return ConvGemm.VECTOR && !UnfoldConv.direct(s) && forced().isEmpty();
    }

    static void conv2d(View x, View w, View bias, Conv2dSpec s, View out) {
        forward(floats(x), x.offset(), floats(w), w.offset(), bias == null ? null : floats(bias),
                bias == null ? 0 : bias.offset(), s, floats(out), out.offset(), false);
    }

    /** {@code out = conv(x, w) + bias}, or {@code out +=} when {@code accumulate}. */
    static void forward(float[] x, int xOff, float[] w, int wOff, float[] bias, int bOff, Conv2dSpec s, float[] out, int oOff,
                        boolean accumulate) {
        if (DepthwiseConv.applies(s)) {
            DepthwiseConv.forward(x, xOff, w, wOff, bias, bOff, s, out, oOff, accumulate);
        } else if (implicit(s)) {
            ImplicitConv.forward(x, xOff, w, wOff, bias, bOff, s, out, oOff, accumulate);
        } else if (shifted(s)) {
            ShiftedConv.forward(x, xOff, w, wOff, bias, bOff, s, out, oOff, accumulate);
        } else {
            UnfoldConv.forward(x, xOff, w, wOff, bias, bOff, s, out, oOff, accumulate);
        }
    }

    static void backwardInput(View gy, View w, Conv2dSpec s, View gx) {
        float[] gys = floats(gy);
        float[] ws = floats(w);
        float[] gxs = floats(gx);
        if (DepthwiseConv.applies(s)) {
            DepthwiseConv.backwardInput(gys, gy.offset(), ws, w.offset(), s, gxs, gx.offset());
        } else if (implicit(s)) {
            ImplicitConvT.backwardInput(gys, gy.offset(), ws, w.offset(), s, gxs, gx.offset());
        } else if (s.strideH() == 1 && s.strideW() == 1 && !UnfoldConv.direct(s)
                && s.padH() <= s.dilationH() * (s.kernelH() - 1) && s.padW() <= s.dilationW() * (s.kernelW() - 1)) {
            // Stride 1: the transposed convolution is a convolution of dY with the flipped kernel.
            Conv2dSpec t = new Conv2dSpec(s.batch(), s.outChannels(), s.outH(), s.outW(), s.inChannels(), s.kernelH(),
                    s.kernelW(), 1, 1, s.dilationH() * (s.kernelH() - 1) - s.padH(), s.dilationW() * (s.kernelW() - 1) - s.padW(),
                    s.dilationH(), s.dilationW(), s.groups());
            forward(gys, gy.offset(), flipTransposed(ws, w.offset(), s), 0, null, 0, t, gxs, gx.offset(), true);
        } else {
            UnfoldConv.backwardInput(gys, gy.offset(), ws, w.offset(), s, gxs, gx.offset());
        }
    }

    /** The kernel of the transposed convolution: {@code [C, OC/g, kH, kW]}, {@code w'[g*cg+c, o, ky, kx] = w[g*ocg+o, c, kH-1-ky, kW-1-kx]}. */
    private static float[] flipTransposed(float[] w, int wOff, Conv2dSpec s) {
        int cg = s.inPerGroup();
        int ocg = s.outPerGroup();
        int kh = s.kernelH();
        int kw = s.kernelW();
        int kk = kh * kw;
        float[] r = new float[s.inChannels() * ocg * kk];
        for (int g = 0; g < s.groups(); g++) {
            for (int o = 0; o < ocg; o++) {
                for (int c = 0; c < cg; c++) {
                    int src = wOff + ((g * ocg + o) * cg + c) * kk;
                    int dst = ((g * cg + c) * ocg + o) * kk;
                    for (int t = 0; t < kk; t++) {
                        r[dst + kk - 1 - t] = w[src + t];
                    }
                }
            }
        }
        return r;
    }

    static void backwardWeight(View x, View gy, Conv2dSpec s, View gw) {
        float[] xs = floats(x);
        float[] gys = floats(gy);
        float[] gws = floats(gw);
        if (DepthwiseConv.applies(s)) {
            DepthwiseConv.backwardWeight(xs, x.offset(), gys, gy.offset(), s, gws, gw.offset());
        } else if (implicit(s) && ImplicitConvGrad.fits(s)) {
            ImplicitConvGrad.backwardWeight(xs, x.offset(), gys, gy.offset(), s, gws, gw.offset());
        } else if (implicit(s)) {
            ImplicitConvW.backwardWeight(xs, x.offset(), gys, gy.offset(), s, gws, gw.offset());
        } else if (shifted(s)) {
            ShiftedConv.backwardWeight(xs, x.offset(), gys, gy.offset(), s, gws, gw.offset());
        } else {
            UnfoldConv.backwardWeight(xs, x.offset(), gys, gy.offset(), s, gws, gw.offset());
        }
    }

    /** im2col of a contiguous batch into contiguous {@code cols}, images spread over the pool. */
    static void im2col(View x, Conv2dSpec s, View cols) {
        float[] xs = floats(x);
        float[] cs = floats(cols);
        int imageIn = s.inChannels() * s.height() * s.width();
        int imageCols = s.colRows() * s.colCols();
        CpuPool.parallelFor(s.batch(), 1, (from, to) -> {
            for (int n = from; n < to; n++) {
                Im2col.im2col(xs, x.offset() + n * imageIn, s, 0, s.inChannels(), cs, cols.offset() + n * imageCols);
            }
        });
    }

    /** col2im of contiguous {@code cols} added into a contiguous batch, images spread over the pool. */
    static void col2im(View cols, Conv2dSpec s, View x) {
        float[] xs = floats(x);
        float[] cs = floats(cols);
        int imageIn = s.inChannels() * s.height() * s.width();
        int imageCols = s.colRows() * s.colCols();
        CpuPool.parallelFor(s.batch(), 1, (from, to) -> {
            for (int n = from; n < to; n++) {
                Im2col.col2im(cs, cols.offset() + n * imageCols, s, 0, s.inChannels(), xs, x.offset() + n * imageIn);
            }
        });
    }

    private static float[] floats(View v) {
        return CpuStorage.floats(v.storage());
    }
}
