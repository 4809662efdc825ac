package dev.tessera;

import dev.tessera.spi.Conv2dSpec;
import dev.tessera.spi.ReduceOp;

/**
 * Convolutions over NCHW data (and NCL for 1-D), as PyTorch's {@code conv2d} / {@code conv1d}.
 *
 * <p>Forward: one {@link dev.tessera.spi.Backend#conv2d} call (a backend's fused kernel, or the
 * default im2col + matmul composition). Backward, side by side: {@code dX} by {@link
 * dev.tessera.spi.Backend#conv2dBackwardInput} ({@code W^T dY}, folded back with col2im), {@code
 * dW} by {@link dev.tessera.spi.Backend#conv2dBackwardWeight} ({@code sum_n dY[n] cols[n]^T}), and
 * {@code db} as the sum of {@code dY} over batch and space. Each gradient is computed only when its
 * input requires one. The backward is not itself recorded (no second derivatives).
 */
final class Convolution {
    private Convolution() {
    }

    /**
     * {@code conv2d(x, weight, bias)} with per-axis {@code stride}, {@code padding} and {@code
     * dilation} ({@code {h, w}}) and {@code groups}.
     */
    static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups) {
        Conv2dSpec s = spec("conv2d", x, weight, bias, pair("conv2d", "stride", stride), pair("conv2d", "padding", padding),
                pair("conv2d", "dilation", dilation), groups);
        Tensor xc = Kernels.contiguous(x);
        Tensor wc = Kernels.contiguous(weight);
        Tensor bc = bias == null ? null : Kernels.contiguous(bias);
        Tensor out = Kernels.uninitialised(x.backend, DType.FLOAT32, new int[] {s.batch(), s.outChannels(), s.outH(), s.outW()});
        x.backend.conv2d(xc.view(), wc.view(), bc == null ? null : bc.view(), s, out.view());
        int[] xShape = x.shape;
        int[] wShape = weight.shape;
        // The input (or its contiguous copy) is read for the weight's gradient, the weight for the input's.
        Tensor[] saved = Autograd.saved(weight.requiresGrad ? xc : null, x.requiresGrad ? wc : null);
        return Autograd.record(out, "conv2d", saved, (g, needs) -> {
            Tensor gc = Kernels.contiguous(g);
            Tensor gx = null;
            Tensor gw = null;
            Tensor gb = null;
            if (needs[0]) {
                gx = Kernels.empty(g.backend, DType.FLOAT32, xShape);
                g.backend.conv2dBackwardInput(gc.view(), wc.view(), s, gx.view());
            }
            if (needs[1]) {
                gw = Kernels.empty(g.backend, DType.FLOAT32, wShape);
                g.backend.conv2dBackwardWeight(xc.view(), gc.view(), s, gw.view());
            }
            if (needs.length > 2 && needs[2]) {
                gb = biasGradient(gc, s);
            }
            return new Tensor[] {gx, gw, gb};
        }, x, weight, bias);
    }

    /** {@code sum over n, y, x of dY[n, o, y, x]}: the bias gradient {@code [OC]}. */
    private static Tensor biasGradient(Tensor gc, Conv2dSpec s) {
        int[] nol = {s.batch(), s.outChannels(), s.outH() * s.outW()};
        Tensor g3 = Kernels.restride(gc, nol, Shape.contiguousStrides(nol), gc.offset);
        return Kernels.reduce(ReduceOp.SUM, Kernels.reduce(ReduceOp.SUM, g3, 2, false), 0, false);
    }

    /**
     * {@code conv1d(x, weight, bias)} for {@code x [N, C, L]} and {@code weight [OC, C/groups, K]}:
     * a {@link #conv2d} of height 1 on unsqueezed views.
     */
    static Tensor conv1d(Tensor x, Tensor weight, Tensor bias, int stride, int padding, int dilation, int groups) {
        if (x.dim() != 3) {
            throw new IllegalArgumentException("conv1d: input must be 3-D [N, C, L], got shape " + Shape.str(x.shape));
        }
        if (weight.dim() != 3) {
            throw new IllegalArgumentException("conv1d: weight must be 3-D [out, in/groups, kernel], got shape "
                    + Shape.str(weight.shape));
        }
        checkChannels("conv1d", x, weight, bias, groups);
        if (stride < 1 || padding < 0 || dilation < 1) {
            throw new IllegalArgumentException("conv1d: stride and dilation must be >= 1 and padding >= 0, got stride "
                    + stride + ", padding " + padding + ", dilation " + dilation);
        }
        if (Conv2dSpec.outSize(x.shape[2], weight.shape[2], stride, padding, dilation) < 1) {
            throw new IllegalArgumentException("conv1d: input " + Shape.str(x.shape) + " padded by " + padding
                    + " is shorter than kernel " + weight.shape[2] + " with dilation " + dilation);
        }
        return conv2d(x.unsqueeze(2), weight.unsqueeze(2), bias, new int[] {1, stride}, new int[] {0, padding},
                new int[] {1, dilation}, groups).squeeze(2);
    }

    /** Validates the arguments of a 2-D convolution and returns its geometry. */
    static Conv2dSpec spec(String op, Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation,
                           int groups) {
        if (x.dim() != 4) {
            throw new IllegalArgumentException(op + ": input must be 4-D [N, C, H, W], got shape " + Shape.str(x.shape));
        }
        if (weight.dim() != 4) {
            throw new IllegalArgumentException(op + ": weight must be 4-D [out, in/groups, kH, kW], got shape "
                    + Shape.str(weight.shape));
        }
        checkChannels(op, x, weight, bias, groups);
        if (stride[0] < 1 || stride[1] < 1 || padding[0] < 0 || padding[1] < 0 || dilation[0] < 1 || dilation[1] < 1) {
            throw new IllegalArgumentException(op + ": stride and dilation must be >= 1 and padding >= 0, got stride "
                    + Shape.str(stride) + ", padding " + Shape.str(padding) + ", dilation " + Shape.str(dilation));
        }
        int kh = weight.shape[2];
        int kw = weight.shape[3];
        if (x.shape[0] == 0 || x.shape[2] == 0 || x.shape[3] == 0
                || Conv2dSpec.outSize(x.shape[2], kh, stride[0], padding[0], dilation[0]) < 1
                || Conv2dSpec.outSize(x.shape[3], kw, stride[1], padding[1], dilation[1]) < 1) {
            throw new IllegalArgumentException(op + ": input " + Shape.str(x.shape) + " padded by " + Shape.str(padding)
                    + " is smaller than the kernel " + kh + "x" + kw + " with dilation " + Shape.str(dilation)
                    + " (or has an empty dimension)");
        }
        return new Conv2dSpec(x.shape[0], x.shape[1], x.shape[2], x.shape[3], weight.shape[0], kh, kw, stride[0], stride[1],
                padding[0], padding[1], dilation[0], dilation[1], groups);
    }

    /** Checks dtypes, devices, groups and that the channel counts of input, weight and bias agree. */
    private static void checkChannels(String op, Tensor x, Tensor weight, Tensor bias, int groups) {
        if (x.dtype != DType.FLOAT32 || weight.dtype != DType.FLOAT32 || (bias != null && bias.dtype != DType.FLOAT32)) {
            throw new IllegalArgumentException(op + ": input, weight and bias must be FLOAT32, got " + x.dtype + ", "
                    + weight.dtype + (bias == null ? "" : ", " + bias.dtype));
        }
        Kernels.requireSameDevice(op, x, weight);
        if (bias != null) {
            Kernels.requireSameDevice(op, x, bias);
        }
        if (groups < 1) {
            throw new IllegalArgumentException(op + ": groups must be >= 1, got " + groups);
        }
        int c = x.shape[1];
        int oc = weight.shape[0];
        if (c != weight.shape[1] * groups) {
            throw new IllegalArgumentException(op + ": input " + Shape.str(x.shape) + " has " + c + " channels but weight "
                    + Shape.str(weight.shape) + " expects " + weight.shape[1] * groups + " (groups " + groups + ")");
        }
        if (oc == 0 || oc % groups != 0) {
            throw new IllegalArgumentException(op + ": weight " + Shape.str(weight.shape) + " has " + oc
                    + " output channels, which must be a positive multiple of groups " + groups);
        }
        if (bias != null && (bias.dim() != 1 || bias.shape[0] != oc)) {
            throw new IllegalArgumentException(op + ": bias " + Shape.str(bias.shape) + " must have shape [" + oc
                    + "] to match weight " + Shape.str(weight.shape));
        }
    }

    /** Checks that {@code v} holds two values (height, width) and returns it. */
    static int[] pair(String op, String name, int[] v) {
        if (v == null || v.length != 2) {
            throw new IllegalArgumentException(op + ": " + name + " must have 2 values {height, width}, got "
                    + (v == null ? "null" : Shape.str(v)));
        }
        return v;
    }
}
