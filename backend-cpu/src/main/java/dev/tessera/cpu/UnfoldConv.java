package dev.tessera.cpu;

import dev.tessera.spi.Conv2dSpec;

/**
 * The general convolution path: per image, unfold the input with {@link Im2col} into a scratch
 * matrix {@code [C*kH*kW, outH*outW]} (one image at a time, so memory stays bounded whatever the
 * batch) and multiply by the weight with {@link ConvGemm}, one product per group:
 *
 * <pre>
 * forward:        Y_g  = W_g  x cols_g                        (OC/g x L)
 * input grad:     cols_g = W_g^T x dY_g, then col2im into dX
 * weight grad:    dW_g += dY_g x cols_g^T   summed over the images
 * </pre>
 *
 * A 1x1 convolution with stride 1 and no padding needs no unfolding: the image itself is the
 * matrix. Images are spread over the pool by {@link ConvKernels#forEachImage}.
 */
final class UnfoldConv {
    private UnfoldConv() {
    }

    /** Whether the unfolded image is the image itself (1x1 kernel, stride 1, no padding). */
    static boolean direct(Conv2dSpec s) {
        return s.kernelH() == 1 && s.kernelW() == 1 && s.strideH() == 1 && s.strideW() == 1 && s.padH() == 0 && s.padW() == 0;
    }

    /**
     * {@code out = conv(x, w) + bias} (or {@code out +=} when {@code accumulate}); arrays with offsets
     * of the first image; {@code bias} may be null.
     */
    static void forward(float[] x, int xOff, float[] w, int wOff, float[] bias, int bOff, Conv2dSpec s, float[] out, int oOff,
                        boolean accumulate) {
        int c = s.inChannels();
        int oc = s.outChannels();
        int ocg = s.outPerGroup();
        int kk = s.kernelSize();
        int kg = s.inPerGroup() * kk;
        int l = s.colCols();
        int imageIn = c * s.height() * s.width();
        boolean direct = direct(s);
        ConvKernels.forEachImage(s.batch(), s.multiplyAdds() / s.batch(), (from, to, par) -> {
            float[] cols = direct ? null : ConvGemm.take(s.colRows() * l);
            for (int n = from; n < to; n++) {
                int xo = xOff + n * imageIn;
                int oo = oOff + n * oc * l;
                if (!direct) {
                    unfold(par, x, xo, s, cols);
                }
                float[] bm = direct ? x : cols;
                int bo = direct ? xo : 0;
                for (int g = 0; g < s.groups(); g++) {
                    ConvGemm.sgemm(par, false, false, ocg, l, kg, w, wOff + g * ocg * kg, kg, bm, bo + g * kg * l, l,
                            accumulate ? 1f : 0f, out, oo + g * ocg * l, l);
                }
                if (bias != null) {
                    ConvKernels.addBias(out, oo, oc, l, bias, bOff);
                }
            }
            ConvGemm.give(cols);
        });
    }

    /** {@code gx += conv2d input gradient of gy}; arrays with offsets of the first image. */
    static void backwardInput(float[] gy, int gyOff, float[] w, int wOff, Conv2dSpec s, float[] gx, int gxOff) {
        int c = s.inChannels();
        int oc = s.outChannels();
        int ocg = s.outPerGroup();
        int kg = s.inPerGroup() * s.kernelSize();
        int l = s.colCols();
        int imageIn = c * s.height() * s.width();
        boolean direct = direct(s);
        ConvKernels.forEachImage(s.batch(), s.multiplyAdds() / s.batch(), (from, to, par) -> {
            float[] cols = direct ? null : ConvGemm.take(s.colRows() * l);
            for (int n = from; n < to; n++) {
                int go = gyOff + n * oc * l;
                int xo = gxOff + n * imageIn;
                for (int g = 0; g < s.groups(); g++) {
                    // W_g is stored ocg x kg: transposed, it is kg x ocg.
                    if (direct) {
                        ConvGemm.sgemm(par, true, false, kg, l, ocg, w, wOff + g * ocg * kg, kg, gy, go + g * ocg * l, l,
                                1f, gx, xo + g * kg * l, l);
                    } else {
                        ConvGemm.sgemm(par, true, false, kg, l, ocg, w, wOff + g * ocg * kg, kg, gy, go + g * ocg * l, l,
                                0f, cols, g * kg * l, l);
                    }
                }
                if (!direct) {
                    fold(par, cols, s, gx, xo);
                }
            }
            ConvGemm.give(cols);
        });
    }

    /** {@code gw += conv2d weight gradient}; arrays with offsets of the first image. */
    static void backwardWeight(float[] x, int xOff, float[] gy, int gyOff, Conv2dSpec s, float[] gw, int gwOff) {
        int c = s.inChannels();
        int oc = s.outChannels();
        int ocg = s.outPerGroup();
        int kg = s.inPerGroup() * s.kernelSize();
        int l = s.colCols();
        int imageIn = c * s.height() * s.width();
        boolean direct = direct(s);
        ConvGemm.sumSlices(s.batch(), ConvGemm.grain(s.multiplyAdds() / s.batch()), (from, to, par) -> {
            float[] cols = direct ? null : ConvGemm.take(s.colRows() * l);
            float[] acc = ConvGemm.takeZeroed(oc * kg);
            for (int n = from; n < to; n++) {
                int xo = xOff + n * imageIn;
                int go = gyOff + n * oc * l;
                if (!direct) {
                    unfold(par, x, xo, s, cols);
                }
                float[] bm = direct ? x : cols;
                int bo = direct ? xo : 0;
                for (int g = 0; g < s.groups(); g++) {
                    // cols_g is stored kg x L: transposed, it is L x kg.
                    ConvGemm.sgemm(par, false, true, ocg, kg, l, gy, go + g * ocg * l, l, bm, bo + g * kg * l, l,
                            1f, acc, g * ocg * kg, kg);
                }
            }
            ConvGemm.give(cols);
            return acc;
        }, acc -> {
            for (int i = 0; i < oc * kg; i++) {
                gw[gwOff + i] += acc[i];
            }
        });
    }

    /** im2col of one image, split over channels on the pool when {@code par}. */
    private static void unfold(boolean par, float[] x, int xo, Conv2dSpec s, float[] cols) {
        int rowsPerChannel = s.kernelSize() * s.colCols();
        if (par) {
            CpuPool.parallelFor(s.inChannels(), Math.max(1, (1 << 15) / Math.max(1, rowsPerChannel)),
                    (c0, c1) -> Im2col.im2col(x, xo, s, c0, c1, cols, c0 * rowsPerChannel));
        } else {
            Im2col.im2col(x, xo, s, 0, s.inChannels(), cols, 0);
        }
    }

    /** col2im of one image, split over channels on the pool when {@code par}. */
    private static void fold(boolean par, float[] cols, Conv2dSpec s, float[] gx, int xo) {
        int rowsPerChannel = s.kernelSize() * s.colCols();
        if (par) {
            CpuPool.parallelFor(s.inChannels(), Math.max(1, (1 << 15) / Math.max(1, rowsPerChannel)),
                    (c0, c1) -> Im2col.col2im(cols, c0 * rowsPerChannel, s, c0, c1, gx, xo));
        } else {
            Im2col.col2im(cols, 0, s, 0, s.inChannels(), gx, xo);
        }
    }
}
