package dev.tessera.spi;

/**
 * The geometry of a 2-D pooling over NCHW data, as the pooling primitives of {@link Backend}
 * receive it: input {@code [batch, channels, height, width]}, output {@code [batch, channels,
 * outH, outW]}. Output element {@code (oy, ox)} pools the input rows {@code [startH(oy),
 * endH(oy))} and columns {@code [startW(ox), endW(ox))} clipped to the input; the unclipped
 * window may reach into the padding.
 *
 * <p>Two kinds: a sliding window ({@link #window}: kernel, stride, padding, PyTorch's floor
 * output size) and adaptive pooling ({@link #adaptive}: window {@code i} spans {@code
 * [floor(i * in / out), ceil((i + 1) * in / out))}, as PyTorch's adaptive pools).
 *
 * @param batch           images N
 * @param channels        channels C
 * @param height          input height
 * @param width           input width
 * @param outH            output height
 * @param outW            output width
 * @param kernelH         window height (adaptive: the largest window height)
 * @param kernelW         window width (adaptive: the largest window width)
 * @param strideH         vertical stride (adaptive: unused, 0)
 * @param strideW         horizontal stride (adaptive: unused, 0)
 * @param padH            padding rows above and below (adaptive: 0)
 * @param padW            padding columns left and right (adaptive: 0)
 * @param countIncludePad whether an average divides by the window size including padding
 * @param adaptive        whether the windows follow the adaptive rule
 */
public record Pool2dSpec(int batch, int channels, int height, int width, int outH, int outW, int kernelH, int kernelW,
                         int strideH, int strideW, int padH, int padW, boolean countIncludePad, boolean adaptive) {

    /**
     * Returns the geometry of a sliding-window pool with PyTorch's output size {@code (in + 2 pad -
     * kernel) / stride + 1}.
     *
     * @param op named in error messages, e.g. {@code "maxPool2d"}
     * @throws IllegalArgumentException if a size is out of range, the padding exceeds half the
     *                                  kernel, or the window does not fit the padded input
     */
    public static Pool2dSpec window(String op, int batch, int channels, int height, int width, int kernelH, int kernelW,
                                    int strideH, int strideW, int padH, int padW, boolean countIncludePad) {
        return window(op, batch, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW, countIncludePad,
                false);
    }

    /**
     * Returns the geometry of a sliding-window pool with PyTorch's output size: {@code (in + 2 pad -
     * kernel) / stride + 1} rounded down, or with {@code ceilMode} rounded up, in which case the
     * last window is dropped when it would start past the input and its left padding ({@code
     * (out - 1) * stride >= in + pad}), PyTorch's rule. A ceil-mode window may reach past the
     * padded input; that part counts as padding that is never counted in an average's divisor.
     *
     * @param op named in error messages, e.g. {@code "maxPool2d"}
     * @throws IllegalArgumentException if a size is out of range, the padding exceeds half the
     *                                  kernel, or the window does not fit the padded input
     */
    public static Pool2dSpec window(String op, int batch, int channels, int height, int width, int kernelH, int kernelW,
                                    int strideH, int strideW, int padH, int padW, boolean countIncludePad, boolean ceilMode) {
        if (kernelH < 1 || kernelW < 1 || strideH < 1 || strideW < 1 || padH < 0 || padW < 0) {
            throw new IllegalArgumentException(op + ": kernel and stride must be >= 1 and padding >= 0, got kernel "
                    + kernelH + "x" + kernelW + ", stride " + strideH + "x" + strideW + ", padding " + padH + "x" + padW);
        }
        if (2 * padH > kernelH || 2 * padW > kernelW) {
            throw new IllegalArgumentException(op + ": padding " + padH + "x" + padW + " must be at most half the kernel "
                    + kernelH + "x" + kernelW);
        }
        if (height + 2 * padH < kernelH || width + 2 * padW < kernelW) {
            throw new IllegalArgumentException(op + ": kernel " + kernelH + "x" + kernelW + " is larger than the padded input "
                    + (height + 2 * padH) + "x" + (width + 2 * padW));
        }
        int oh = outputSize(height, kernelH, strideH, padH, ceilMode);
        int ow = outputSize(width, kernelW, strideW, padW, ceilMode);
        return new Pool2dSpec(batch, channels, height, width, oh, ow, kernelH, kernelW, strideH, strideW, padH, padW,
                countIncludePad, false);
    }

    /** PyTorch's {@code pooling_output_shape} for dilation 1 (the window fits: {@code in + 2 pad >= kernel}). */
    private static int outputSize(int in, int kernel, int stride, int pad, boolean ceilMode) {
        int span = in + 2 * pad - kernel;
        if (!ceilMode) {
            return span / stride + 1;
        }
        int out = (span + stride - 1) / stride + 1;
        if ((out - 1) * stride >= in + pad) {
            out--;
        }
        return out;
    }

    /**
     * Returns whether every window lies inside the padded input ({@code (out - 1) * stride +
     * kernel <= in + 2 pad} on both axes): always for floor-mode and adaptive pools, not for some
     * ceil-mode ones, whose last window may reach past the padding.
     */
    public boolean windowsInsidePadding() {
        return adaptive || ((outH - 1) * strideH + kernelH <= height + 2 * padH
                && (outW - 1) * strideW + kernelW <= width + 2 * padW);
    }

    /**
     * Returns the geometry of an adaptive pool to {@code outH x outW}.
     *
     * @throws IllegalArgumentException if an output size is below 1
     */
    public static Pool2dSpec adaptive(String op, int batch, int channels, int height, int width, int outH, int outW) {
        if (outH < 1 || outW < 1) {
            throw new IllegalArgumentException(op + ": output size must be >= 1, got " + outH + "x" + outW);
        }
        int kh = 0;
        for (int i = 0; i < outH; i++) {
            kh = Math.max(kh, adaptiveEnd(i, height, outH) - adaptiveStart(i, height, outH));
        }
        int kw = 0;
        for (int i = 0; i < outW; i++) {
            kw = Math.max(kw, adaptiveEnd(i, width, outW) - adaptiveStart(i, width, outW));
        }
        return new Pool2dSpec(batch, channels, height, width, outH, outW, kh, kw, 0, 0, 0, 0, false, true);
    }

    private static int adaptiveStart(int i, int in, int out) {
        return (int) ((long) i * in / out);
    }

    private static int adaptiveEnd(int i, int in, int out) {
        return (int) (((long) (i + 1) * in + out - 1) / out);
    }

    /** Returns the first input row of output row {@code oy}, possibly negative (in the padding). */
    public int startH(int oy) {
        return adaptive ? adaptiveStart(oy, height, outH) : oy * strideH - padH;
    }

    /** Returns one past the last input row of output row {@code oy}, possibly beyond the input (in the padding). */
    public int endH(int oy) {
        return adaptive ? adaptiveEnd(oy, height, outH) : oy * strideH - padH + kernelH;
    }

    /** Returns the first input column of output column {@code ox}, possibly negative. */
    public int startW(int ox) {
        return adaptive ? adaptiveStart(ox, width, outW) : ox * strideW - padW;
    }

    /** Returns one past the last input column of output column {@code ox}, possibly beyond the input. */
    public int endW(int ox) {
        return adaptive ? adaptiveEnd(ox, width, outW) : ox * strideW - padW + kernelW;
    }

    /**
     * Returns what an average divides by at {@code (oy, ox)}: the window size clipped to the
     * padded input when {@link #countIncludePad}, else the number of input elements (PyTorch).
     */
    public int divisor(int oy, int ox) {
        int h0 = startH(oy);
        int h1 = endH(oy);
        int w0 = startW(ox);
        int w1 = endW(ox);
        if (countIncludePad && !adaptive) {
            return (Math.min(h1, height + padH) - h0) * (Math.min(w1, width + padW) - w0);
        }
        return (Math.min(h1, height) - Math.max(h0, 0)) * (Math.min(w1, width) - Math.max(w0, 0));
    }

    /** Returns this geometry with another batch size. */
    public Pool2dSpec withBatch(int n) {
        return new Pool2dSpec(n, channels, height, width, outH, outW, kernelH, kernelW, strideH, strideW, padH, padW,
                countIncludePad, adaptive);
    }
}
