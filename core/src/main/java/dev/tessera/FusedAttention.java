package dev.tessera;

import java.util.Arrays;

/**
 * Scaled dot-product attention as one differentiable op, {@code softmax(scale * q k^T) v}, which a
 * backend runs as one kernel ({@link dev.tessera.spi.Backend#attention}): the CPU backend computes
 * each problem of the batch while its rows are in cache, instead of passing whole score tensors
 * through memory several times. Keeps the attention probabilities for the backward pass, as the
 * composed ops would.
 *
 * <p>No mask and no dropout: callers that need either compose the ops themselves (as
 * {@code dev.tessera.nn.F.scaledDotProductAttention} does).
 */
public final class FusedAttention {
    private FusedAttention() {
    }

    /**
     * Returns {@code softmax(scale * q k^T) v} along the last axis, recorded by autograd.
     *
     * @param q     {@code [..., L, E]}
     * @param k     {@code [..., S, E]}, the same leading (batch) dimensions as q
     * @param v     {@code [..., S, Ev]}, the same leading dimensions
     * @param scale factor of the scores, usually {@code 1 / sqrt(E)}
     * @return a new tensor {@code [..., L, Ev]}; the inputs are not modified
     * @throws IllegalArgumentException if the shapes do not fit, the tensors are not FLOAT32 or
     *                                  live on different devices; the message names the shapes
     */
    public static Tensor compute(Tensor q, Tensor k, Tensor v, float scale) {
        check(q, k, v);
        if (Shape.numel(q.shape) == 0 || Shape.numel(k.shape) == 0 || Shape.numel(v.shape) == 0) {
            // Empty problems: the composed ops define every edge case (a softmax over nothing, a sum of nothing).
            return q.mul(scale).matmul(k.transpose(-2, -1)).softmax(-1).matmul(v);
        }
        int d = q.shape.length;
        int l = q.shape[d - 2];
        int e = q.shape[d - 1];
        int s = k.shape[d - 2];
        int ev = v.shape[d - 1];
        int batch = Shape.numel(Arrays.copyOf(q.shape, d - 2));
        Tensor q3 = matrices(q, batch);
        Tensor k3 = matrices(k, batch);
        Tensor v3 = matrices(v, batch);
        Tensor probs = Kernels.empty(q.backend, DType.FLOAT32, new int[] {batch, l, s});
        Tensor out3 = Kernels.empty(q.backend, DType.FLOAT32, new int[] {batch, l, ev});
        q.backend.attention(q3.view(), k3.view(), v3.view(), scale, probs.view(), out3.view());
        int[] outShape = q.shape.clone();
        outShape[d - 1] = ev;
        Tensor out = Kernels.restride(out3, outShape, Shape.contiguousStrides(outShape), 0);
        int[] qShape = q.shape;
        int[] kShape = k.shape;
        int[] vShape = v.shape;
        // q3, k3, v3 view the inputs unless they are copies; probs is private to this node.
        return Autograd.record(out, "attention", Autograd.saved(q3, k3, v3), (g, needs) -> {
            Tensor g3 = Kernels.contiguous(Kernels.asFloat(g));
            g3 = Kernels.restride(g3, new int[] {batch, l, ev}, Shape.contiguousStrides(new int[] {batch, l, ev}), g3.offset);
            Tensor gq = Kernels.empty(g.backend, DType.FLOAT32, new int[] {batch, l, e});
            Tensor gk = Kernels.empty(g.backend, DType.FLOAT32, new int[] {batch, s, e});
            Tensor gv = Kernels.empty(g.backend, DType.FLOAT32, new int[] {batch, s, ev});
            g.backend.attentionBackward(q3.view(), k3.view(), v3.view(), scale, probs.view(), g3.view(), gq.view(),
                    gk.view(), gv.view());
            return new Tensor[] {
                Kernels.restride(gq, qShape, Shape.contiguousStrides(qShape), 0),
                Kernels.restride(gk, kShape, Shape.contiguousStrides(kShape), 0),
                Kernels.restride(gv, vShape, Shape.contiguousStrides(vShape), 0)};
        }, q, k, v);
    }

    /** {@code t} as {@code [batch, rows, cols]} of compact row-major matrices: a view where the strides allow, else a copy. */
    private static Tensor matrices(Tensor t, int batch) {
        int d = t.shape.length;
        int[] shape3 = {batch, t.shape[d - 2], t.shape[d - 1]};
        if (t.strides[d - 1] == 1 || t.shape[d - 1] == 1) {
            int[] strides = Views.viewStrides(t.shape, t.strides, shape3);
            if (strides != null) {
                strides[2] = 1; // a single column may carry any stride; the kernels assume 1
                if (shape3[1] == 1) {
                    strides[1] = shape3[2]; // likewise a single row
                }
                // Only matrices whose rows follow each other: rows far apart (one head of a
                // [L, N, heads*E] projection) made every kernel read a new page per row, slower
                // than copying them together first.
                if (strides[1] == shape3[2]) {
                    return Kernels.restride(t, shape3, strides, t.offset);
                }
            }
        }
        Tensor c = Kernels.copyContiguous(t);
        return Kernels.restride(c, shape3, Shape.contiguousStrides(shape3), 0);
    }

    private static void check(Tensor q, Tensor k, Tensor v) {
        if (q == null || k == null || v == null) {
            throw new NullPointerException("attention: q, k and v must not be null");
        }
        Kernels.requireSameDevice("attention", q, k);
        Kernels.requireSameDevice("attention", q, v);
        int d = q.shape.length;
        boolean fits = d >= 2 && k.shape.length == d && v.shape.length == d
                && Arrays.equals(q.shape, 0, d - 2, k.shape, 0, d - 2)
                && Arrays.equals(q.shape, 0, d - 2, v.shape, 0, d - 2)
                && q.shape[d - 1] == k.shape[d - 1] && k.shape[d - 2] == v.shape[d - 2];
        if (!fits) {
            throw new IllegalArgumentException("attention: q " + Shape.str(q.shape) + ", k " + Shape.str(k.shape) + ", v "
                    + Shape.str(v.shape) + " do not fit [..., L, E], [..., S, E], [..., S, Ev] with equal leading dimensions");
        }
        if (q.dtype != DType.FLOAT32 || k.dtype != DType.FLOAT32 || v.dtype != DType.FLOAT32) {
            throw new IllegalArgumentException("attention: q, k and v must be FLOAT32, got " + q.dtype + ", " + k.dtype
                    + ", " + v.dtype);
        }
    }
}
