package dev.tessera;

import java.util.Arrays;

/**
 * Layer normalization as one differentiable op, as PyTorch's {@code F.layer_norm}: each slice over
 * the trailing {@code normalizedShape} dimensions is shifted to mean 0 and scaled to variance 1
 * (biased variance, plus {@code eps}), then multiplied by {@code weight} and shifted by {@code
 * bias}. A backend runs it as one kernel ({@link dev.tessera.spi.Backend#layerNorm}): on the CPU two
 * passes over the input instead of about ten, and no temporaries; the backward pass keeps only the
 * per-row mean and reciprocal standard deviation.
 */
public final class FusedLayerNorm {
    private FusedLayerNorm() {
    }

    /**
     * Returns the layer normalization of {@code x} over its trailing {@code normalizedShape}
     * dimensions, recorded by autograd (differentiable in {@code x}, {@code weight} and {@code bias}).
     *
     * @param x               {@code [..., *normalizedShape]}, FLOAT32; not modified
     * @param normalizedShape the trailing dimensions normalized together, at least one
     * @param weight          {@code normalizedShape}, or null for none
     * @param bias            {@code normalizedShape}, or null for none
     * @param eps             added to the variance, {@code >= 0}
     * @return a new tensor of {@code x}'s shape
     * @throws IllegalArgumentException if the shapes do not fit, a tensor is not FLOAT32 or they
     *                                  live on different devices, or eps is negative or NaN; the
     *                                  message names the shapes
     */
    public static Tensor compute(Tensor x, int[] normalizedShape, Tensor weight, Tensor bias, float eps) {
        check(x, normalizedShape, weight, bias, eps);
        int n = Shape.numel(normalizedShape);
        int rows = n == 0 ? 0 : Shape.numel(x.shape) / n;
        if (rows == 0 || n == 0) {
            return empty(x, weight, bias);
        }
        Tensor x2 = rowsOf(x, rows, n);
        Tensor w = weight == null ? null : flat(weight, n);
        Tensor b = bias == null ? null : flat(bias, n);
        Tensor out = Kernels.uninitialised(x.backend, DType.FLOAT32, new int[] {rows, n});
        Tensor mean = Kernels.uninitialised(x.backend, DType.FLOAT32, new int[] {rows});
        Tensor rstd = Kernels.uninitialised(x.backend, DType.FLOAT32, new int[] {rows});
        x.backend.layerNorm(x2.view(), w == null ? null : w.view(), b == null ? null : b.view(), eps, out.view(),
                mean.view(), rstd.view());
        Tensor result = Kernels.restride(out, x.shape.clone(), Shape.contiguousStrides(x.shape), 0);
        int[] paramShape = normalizedShape.clone();
        // x2 and w view the inputs unless they are copies; mean and rstd are private to this node.
        return Autograd.record(result, "layerNorm", Autograd.saved(x2, w), (g, needs) -> {
            Tensor g2 = rowsOf(Kernels.asFloat(g), rows, n);
            Tensor gx = needs[0] ? Kernels.uninitialised(g.backend, DType.FLOAT32, new int[] {rows, n}) : null;
            Tensor gw = needs.length > 1 && needs[1] ? Kernels.uninitialised(g.backend, DType.FLOAT32, new int[] {n}) : null;
            Tensor gb = needs.length > 2 && needs[2] ? Kernels.uninitialised(g.backend, DType.FLOAT32, new int[] {n}) : null;
            g.backend.layerNormBackward(x2.view(), w == null ? null : w.view(), mean.view(), rstd.view(), g2.view(),
                    gx == null ? null : gx.view(), gw == null ? null : gw.view(), gb == null ? null : gb.view());
            return new Tensor[] {
                gx == null ? null : Kernels.restride(gx, x.shape.clone(), Shape.contiguousStrides(x.shape), 0),
                gw == null ? null : Kernels.restride(gw, paramShape, Shape.contiguousStrides(paramShape), 0),
                gb == null ? null : Kernels.restride(gb, paramShape, Shape.contiguousStrides(paramShape), 0)};
        }, x, weight, bias);
    }

    /** {@code t} as contiguous {@code [rows, n]}: a view when it is contiguous, else a copy. */
    private static Tensor rowsOf(Tensor t, int rows, int n) {
        Tensor c = Kernels.contiguous(t);
        return Kernels.restride(c, new int[] {rows, n}, new int[] {n, 1}, c.offset);
    }

    /** A parameter as a contiguous {@code [n]} vector. */
    private static Tensor flat(Tensor p, int n) {
        Tensor c = Kernels.contiguous(p);
        return Kernels.restride(c, new int[] {n}, new int[] {1}, c.offset);
    }

    /**
     * An empty input's result: empty too, connected to the weight and bias so that their gradients
     * are the sums over no rows, zeros (as PyTorch gives).
     */
    private static Tensor empty(Tensor x, Tensor weight, Tensor bias) {
        Tensor y = weight == null ? x.mul(1f) : x.mul(weight);
        return bias == null ? y : y.add(bias);
    }

    private static void check(Tensor x, int[] normalizedShape, Tensor weight, Tensor bias, float eps) {
        if (x == null || normalizedShape == null) {
            throw new NullPointerException("layerNorm: the input and the normalized shape must not be null");
        }
        int k = normalizedShape.length;
        int lead = x.dim() - k;
        if (k == 0 || lead < 0 || !Arrays.equals(x.shape, lead, x.dim(), normalizedShape, 0, k)) {
            throw new IllegalArgumentException("layerNorm: input of shape " + Shape.str(x.shape)
                    + " does not end with the normalized shape " + Shape.str(normalizedShape));
        }
        if (!(eps >= 0f)) {
            throw new IllegalArgumentException("layerNorm: eps must be >= 0, got " + eps);
        }
        if (x.dtype != DType.FLOAT32) {
            throw new IllegalArgumentException("layerNorm: the input must be FLOAT32, got " + x.dtype);
        }
        for (Tensor p : new Tensor[] {weight, bias}) {
            if (p == null) {
                continue;
            }
            Kernels.requireSameDevice("layerNorm", x, p);
            if (!Arrays.equals(p.shape, normalizedShape) || p.dtype != DType.FLOAT32) {
                throw new IllegalArgumentException("layerNorm: " + (p == weight ? "weight" : "bias") + " of shape "
                        + Shape.str(p.shape) + " (" + p.dtype + ") must have the normalized shape "
                        + Shape.str(normalizedShape) + " (FLOAT32)");
            }
        }
    }
}
