package dev.tessera;

import dev.tessera.spi.Pool2dSpec;

/**
 * Max, average, adaptive-average and global-average pooling over NCHW data, as PyTorch's {@code
 * max_pool2d}, {@code avg_pool2d} and {@code adaptive_avg_pool2d} (floor output sizes).
 *
 * <p>Forward through {@link dev.tessera.spi.Backend#maxPool2d} / {@link
 * dev.tessera.spi.Backend#avgPool2d}; backward, side by side: max pooling routes each output's
 * gradient to the input element that was its maximum (the first one on ties; padding counts as
 * -inf and never wins), average pooling spreads it evenly over the window's elements (divided by
 * the same divisor as the forward).
 */
final class Pooling {
    private Pooling() {
    }

    /** Max pooling with {@code kernel}, {@code stride} (null: the kernel) and {@code padding}, each {@code {h, w}}. */
    static Tensor maxPool2d(Tensor x, int[] kernel, int[] stride, int[] padding) {
        return maxPool2d(x, kernel, stride, padding, false);
    }

    /** Max pooling as above; {@code ceilMode} rounds the output size up (PyTorch's {@code ceil_mode}). */
    static Tensor maxPool2d(Tensor x, int[] kernel, int[] stride, int[] padding, boolean ceilMode) {
        Pool2dSpec s = window("maxPool2d", x, kernel, stride, padding, false, ceilMode);
        Tensor xc = Kernels.contiguous(x);
        int[] outShape = {s.batch(), s.channels(), s.outH(), s.outW()};
        Tensor out = Kernels.uninitialised(x.backend, DType.FLOAT32, outShape);
        Tensor indices = Kernels.uninitialised(x.backend, DType.INT32, outShape);
        x.backend.maxPool2d(xc.view(), s, out.view(), indices.view());
        int[] inShape = x.shape;
        return Autograd.record(out, "maxPool2d", (g, needs) -> {
            Tensor gi = Kernels.empty(g.backend, DType.FLOAT32, inShape);
            g.backend.maxPool2dBackward(Kernels.contiguous(g).view(), indices.view(), s, gi.view());
            return new Tensor[] {gi};
        }, x);
    }

    /**
     * Average pooling with {@code kernel}, {@code stride} (null: the kernel) and {@code padding};
     * {@code countIncludePad} divides by the whole window including padding.
     */
    static Tensor avgPool2d(Tensor x, int[] kernel, int[] stride, int[] padding, boolean countIncludePad) {
        return avgPool2d(x, kernel, stride, padding, countIncludePad, false);
    }

    /** Average pooling as above; {@code ceilMode} rounds the output size up (PyTorch's {@code ceil_mode}). */
    static Tensor avgPool2d(Tensor x, int[] kernel, int[] stride, int[] padding, boolean countIncludePad, boolean ceilMode) {
        return average(x, window("avgPool2d", x, kernel, stride, padding, countIncludePad, ceilMode), "avgPool2d");
    }

    /** Adaptive average pooling to {@code outH x outW}: window i spans {@code [floor(i*in/out), ceil((i+1)*in/out))}. */
    static Tensor adaptiveAvgPool2d(Tensor x, int outH, int outW) {
        check("adaptiveAvgPool2d", x);
        return average(x, Pool2dSpec.adaptive("adaptiveAvgPool2d", x.shape[0], x.shape[1], x.shape[2], x.shape[3], outH, outW),
                "adaptiveAvgPool2d");
    }

    /** The mean of each channel plane: {@code [N, C, H, W] -> [N, C, 1, 1]}. */
    static Tensor globalAvgPool2d(Tensor x) {
        check("globalAvgPool2d", x);
        return average(x, Pool2dSpec.adaptive("globalAvgPool2d", x.shape[0], x.shape[1], x.shape[2], x.shape[3], 1, 1),
                "globalAvgPool2d");
    }

    private static Tensor average(Tensor x, Pool2dSpec s, String op) {
        Tensor xc = Kernels.contiguous(x);
        Tensor out = Kernels.uninitialised(x.backend, DType.FLOAT32, new int[] {s.batch(), s.channels(), s.outH(), s.outW()});
        x.backend.avgPool2d(xc.view(), s, out.view());
        int[] inShape = x.shape;
        return Autograd.record(out, op, (g, needs) -> {
            Tensor gi = Kernels.empty(g.backend, DType.FLOAT32, inShape);
            g.backend.avgPool2dBackward(Kernels.contiguous(g).view(), s, gi.view());
            return new Tensor[] {gi};
        }, x);
    }

    private static Pool2dSpec window(String op, Tensor x, int[] kernel, int[] stride, int[] padding, boolean includePad,
                                     boolean ceilMode) {
        check(op, x);
        int[] k = Convolution.pair(op, "kernel", kernel);
        int[] st = stride == null || stride.length == 0 ? k : Convolution.pair(op, "stride", stride);
        int[] p = padding == null ? new int[2] : Convolution.pair(op, "padding", padding);
        try {
            return Pool2dSpec.window(op, x.shape[0], x.shape[1], x.shape[2], x.shape[3], k[0], k[1], st[0], st[1], p[0], p[1],
                    includePad, ceilMode);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + " (input " + Shape.str(x.shape) + ")", e);
        }
    }

    private static void check(String op, Tensor x) {
        if (x.dim() != 4) {
            throw new IllegalArgumentException(op + ": input must be 4-D [N, C, H, W], got shape " + Shape.str(x.shape));
        }
        if (x.dtype != DType.FLOAT32) {
            throw new IllegalArgumentException(op + ": input must be FLOAT32, got " + x.dtype);
        }
        if (x.numel() == 0) {
            throw new IllegalArgumentException(op + ": input " + Shape.str(x.shape) + " is empty");
        }
    }
}
