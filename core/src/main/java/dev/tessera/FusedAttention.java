package dev.tessera;

import dev.tessera.spi.Backend;
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
        Tensor probs = Kernels.uninitialised(q.backend, DType.FLOAT32, new int[] {batch, l, s});
        int[] outShape = q.shape.clone();
        outShape[d - 1] = ev;
        Tensor out = emptyLike(q, outShape, batch);
        q.backend.attention(q3.view(), k3.view(), v3.view(), scale, probs.view(), matrixView(out, batch).view());
        int[] qShape = q.shape;
        int[] kShape = k.shape;
        int[] vShape = v.shape;
        int[] qStrides = q.strides;
        int[] kStrides = k.strides;
        int[] vStrides = v.strides;
        // q3, k3, v3 view the inputs unless they are copies; the copies and probs are private to this node.
        Tensor result = Autograd.record(out, "attention", Autograd.saved(q3, k3, v3), (g, needs) -> {
            Tensor gf = Kernels.asFloat(g);
            Tensor g3 = matrixView(gf, batch);
            if (g3 == null) {
                g3 = matrices(gf, batch);
            }
            Tensor gq = emptyLike(qShape, qStrides, qShape, batch, g.backend);
            Tensor gk = emptyLike(kShape, kStrides, kShape, batch, g.backend);
            Tensor gv = emptyLike(vShape, vStrides, vShape, batch, g.backend);
            g.backend.attentionBackward(q3.view(), k3.view(), v3.view(), scale, probs.view(), g3.view(),
                    matrixView(gq, batch).view(), matrixView(gk, batch).view(), matrixView(gv, batch).view());
            return new Tensor[] {gq, gk, gv};
        }, q, k, v);
        return Autograd.releaseWithBackward(result, probs, copyOf(q3, q), copyOf(k3, k), copyOf(v3, v));
    }

    /** {@code matrices} when it is a copy of {@code t}, null when it views {@code t}. */
    private static Tensor copyOf(Tensor matrices, Tensor t) {
        return matrices.storage == t.storage ? null : matrices;
    }

    /** {@link #emptyLike(int[], int[], int[], int, Backend)} for the layout of {@code like}. */
    private static Tensor emptyLike(Tensor like, int[] shape, int batch) {
        return emptyLike(like.shape, like.strides, shape, batch, like.backend);
    }

    /**
     * A new FLOAT32 tensor of {@code shape} whose dimensions lie in memory in the order of a tensor
     * of {@code likeShape} and {@code likeStrides} (outermost = largest stride), as PyTorch lays out
     * attention results: a query that views heads of a sequence-first projection ({@code [N, H, L,
     * D]} in an {@code [L, N, H * D]} buffer) gets an output that permutes back to {@code [L, N, E]}
     * without a copy. Falls back to a contiguous tensor when that order would not let its matrices
     * be seen as one {@code [batch, rows, cols]} view with a single batch stride.
     */
    private static Tensor emptyLike(int[] likeShape, int[] likeStrides, int[] shape, int batch, Backend backend) {
        int d = shape.length;
        Integer[] order = new Integer[d - 1];
        for (int i = 0; i < d - 1; i++) {
            order[i] = i;
        }
        // Stable: equal strides (dimensions of size 1) keep their order. The last dimension stays innermost.
        Arrays.sort(order, (x, y) -> Integer.compare(likeShape[y] == 1 ? 0 : likeStrides[y],
                likeShape[x] == 1 ? 0 : likeStrides[x]));
        int[] strides = new int[d];
        strides[d - 1] = 1;
        int step = shape[d - 1];
        for (int i = d - 2; i >= 0; i--) {
            strides[order[i]] = step;
            step *= shape[order[i]];
        }
        Tensor dense = Kernels.uninitialised(backend, DType.FLOAT32, shape);
        Tensor t = Kernels.restride(dense, dense.shape, strides, 0);
        return matrixView(t, batch) != null ? t : dense;
    }

    /**
     * {@code t} as {@code [batch, rows, cols]} with rows of stride 1 and a single batch stride, as a
     * view, or null when its strides do not allow one.
     */
    private static Tensor matrixView(Tensor t, int batch) {
        int d = t.shape.length;
        int[] shape3 = {batch, t.shape[d - 2], t.shape[d - 1]};
        if (t.strides[d - 1] != 1 && t.shape[d - 1] != 1) {
            return null;
        }
        int[] strides = Views.viewStrides(t.shape, t.strides, shape3);
        if (strides == null) {
            return null;
        }
        strides[2] = 1; // a single column may carry any stride; the kernels assume 1
        return Kernels.restride(t, shape3, strides, t.offset);
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
