package dev.tessera;

import dev.tessera.spi.AttentionDropout;
import dev.tessera.spi.Backend;
import dev.tessera.spi.View;
import java.util.Arrays;

/**
 * Scaled dot-product attention as one differentiable op, {@code softmax(scale * q k^T) v}, which a
 * backend runs as one kernel ({@link dev.tessera.spi.Backend#attention}): the CPU backend computes
 * each problem of the batch while its rows are in cache, instead of passing whole score tensors
 * through memory several times. Keeps the attention probabilities for the backward pass, as the
 * composed ops would.
 *
 * <p>A constant bias (an attention mask as {@code 0} / a large negative number, a causal mask, a
 * position bias) is added to the scaled scores before the softmax; a bias that needs a gradient
 * is the composed ops' job. With dropout, the probabilities that multiply {@code v} are dropped as
 * {@code probs.mul(Fused.dropoutMask(probs, g, p, 1)).mul(1 / (1 - p))} would drop them, from the
 * same numbers of the generator: the backward pass draws the mask again instead of keeping it.
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
        return compute(q, k, v, scale, 0f, null);
    }

    /**
     * Returns {@code (softmax(scale * q k^T) * M) v} along the last axis, recorded by autograd,
     * where {@code M} drops each probability with probability {@code dropoutP} and multiplies the
     * others by {@code 1 / (1 - dropoutP)} (all dropped when it is 1).
     *
     * @param q         {@code [..., L, E]}
     * @param k         {@code [..., S, E]}, the same leading (batch) dimensions as q
     * @param v         {@code [..., S, Ev]}, the same leading dimensions
     * @param scale     factor of the scores, usually {@code 1 / sqrt(E)}
     * @param dropoutP  the probability of dropping, in {@code [0, 1]}; 0 for none
     * @param generator the generator of the mask; advanced by {@code batch * L * S} numbers when
     *                  {@code dropoutP > 0}, else not used (may be null)
     * @return a new tensor {@code [..., L, Ev]}; the inputs are not modified
     * @throws IllegalArgumentException if the shapes do not fit, the tensors are not FLOAT32 or
     *                                  live on different devices, or {@code dropoutP} is outside
     *                                  {@code [0, 1]}; the message names the values
     * @throws NullPointerException     if {@code generator} is null and {@code dropoutP > 0}
     */
    public static Tensor compute(Tensor q, Tensor k, Tensor v, float scale, float dropoutP, Generator generator) {
        return compute(q, k, v, scale, null, dropoutP, generator);
    }

    /**
     * Returns {@code (softmax(scale * q k^T + bias) * M) v} along the last axis, recorded by
     * autograd, with {@code M} as in {@link #compute(Tensor, Tensor, Tensor, float, float,
     * Generator)}.
     *
     * @param q         {@code [..., L, E]}
     * @param k         {@code [..., S, E]}, the same leading (batch) dimensions as q
     * @param v         {@code [..., S, Ev]}, the same leading dimensions
     * @param scale     factor of the scores, usually {@code 1 / sqrt(E)}
     * @param bias      FLOAT32, broadcastable to {@code [..., L, S]} (q's leading dimensions), not
     *                  requiring a gradient; added to the scaled scores; null for none
     * @param dropoutP  the probability of dropping, in {@code [0, 1]}; 0 for none
     * @param generator the generator of the mask; advanced by {@code batch * L * S} numbers when
     *                  {@code dropoutP > 0}, else not used (may be null)
     * @return a new tensor {@code [..., L, Ev]}; the inputs are not modified
     * @throws IllegalArgumentException if the shapes do not fit, the tensors are not FLOAT32 or
     *                                  live on different devices, the bias requires a gradient or
     *                                  {@code dropoutP} is outside {@code [0, 1]}; the message
     *                                  names the values
     * @throws NullPointerException     if {@code generator} is null and {@code dropoutP > 0}
     */
    public static Tensor compute(Tensor q, Tensor k, Tensor v, float scale, Tensor bias, float dropoutP,
                                 Generator generator) {
        check(q, k, v);
        if (!(dropoutP >= 0f && dropoutP <= 1f)) {
            throw new IllegalArgumentException("attention: dropout probability must be in [0, 1], got " + dropoutP);
        }
        int d = q.shape.length;
        int l = q.shape[d - 2];
        int s = k.shape[d - 2];
        int ev = v.shape[d - 1];
        // The kernels see [lead..., rows, cols]: q's leading (batch) dimensions, or one of size 1.
        int[] lead = d > 2 ? Arrays.copyOf(q.shape, d - 2) : new int[] {1};
        int batch = Shape.numel(lead);
        int[] scores = Arrays.copyOf(q.shape, d);
        scores[d - 1] = s;
        Tensor fullBias = bias == null ? null : expandedBias(bias, q, scores);
        AttentionDropout dropout = null;
        if (dropoutP > 0f) {
            if (generator == null) {
                throw new NullPointerException("attention: a generator is needed for dropout " + dropoutP);
            }
            long draws = (long) batch * l * s;
            long state;
            synchronized (generator) {
                state = generator.reserve(draws);
            }
            dropout = AttentionDropout.inverted(state, dropoutP);
        }
        if (Shape.numel(q.shape) == 0 || Shape.numel(k.shape) == 0 || Shape.numel(v.shape) == 0) {
            // Empty problems: the composed ops define every edge case (a softmax over nothing, a sum of nothing).
            Tensor logits = q.mul(scale).matmul(k.transpose(-2, -1));
            Tensor probs = (fullBias == null ? logits : logits.add(fullBias)).softmax(-1);
            return (dropout == null ? probs : probs.mul(mask(probs, dropout))).matmul(v);
        }
        Tensor q3 = matrices(q, batch);
        Tensor k3 = matrices(k, batch);
        Tensor v3 = matrices(v, batch);
        Tensor probs = Kernels.uninitialised(q.backend, DType.FLOAT32, new int[] {batch, l, s});
        int[] outShape = q.shape.clone();
        outShape[d - 1] = ev;
        Tensor out = emptyLike(q.shape, q.strides, outShape, q.backend);
        AttentionDropout drop = dropout;
        q.backend.attention(kernelView(q3, lead), kernelView(k3, lead), kernelView(v3, lead), scale,
                fullBias == null ? null : biasView(fullBias, lead), drop, kernelView(probs, lead), kernelView(out, lead));
        int[] qShape = q.shape;
        int[] kShape = k.shape;
        int[] vShape = v.shape;
        int[] qStrides = q.strides;
        int[] kStrides = k.strides;
        int[] vStrides = v.strides;
        // q3, k3, v3 view the inputs unless they are copies; the copies and probs are private to this node.
        Tensor result = Autograd.record(out, "attention", Autograd.saved(q3, k3, v3), (g, needs) -> {
            Tensor gf = Kernels.asFloat(g);
            if (!rowMajor(gf)) {
                gf = Kernels.copyContiguous(gf);
            }
            Tensor gq = emptyLike(qShape, qStrides, qShape, g.backend);
            Tensor gk = emptyLike(kShape, kStrides, kShape, g.backend);
            Tensor gv = emptyLike(vShape, vStrides, vShape, g.backend);
            g.backend.attentionBackward(kernelView(q3, lead), kernelView(k3, lead), kernelView(v3, lead), scale,
                    drop, kernelView(probs, lead), kernelView(gf, lead), kernelView(gq, lead), kernelView(gk, lead),
                    kernelView(gv, lead));
            return new Tensor[] {gq, gk, gv};
        }, q, k, v);
        return Autograd.releaseWithBackward(result, probs, copyOf(q3, q), copyOf(k3, k), copyOf(v3, v));
    }

    /** {@code bias} expanded (a view) to the scores' shape, after checking it may be. */
    private static Tensor expandedBias(Tensor bias, Tensor q, int[] scores) {
        Kernels.requireSameDevice("attention", q, bias);
        if (bias.dtype != DType.FLOAT32) {
            throw new IllegalArgumentException("attention: the bias must be FLOAT32, got " + bias.dtype);
        }
        if (bias.requiresGrad()) {
            throw new IllegalArgumentException("attention: the fused op takes a constant bias, and this one "
                    + Shape.str(bias.shape) + " requires a gradient; compose the ops for a learned bias");
        }
        int d = scores.length;
        int r = bias.shape.length;
        boolean fits = r <= d;
        for (int i = 1; fits && i <= r; i++) {
            fits = bias.shape[r - i] == scores[d - i] || bias.shape[r - i] == 1;
        }
        if (!fits) {
            throw new IllegalArgumentException("attention: bias " + Shape.str(bias.shape)
                    + " does not broadcast to the scores " + Shape.str(scores));
        }
        return bias.expand(scores);
    }

    /** The kernels' view of the expanded bias: {@code [lead..., L, S]} with its own strides, 0 where it broadcasts. */
    private static View biasView(Tensor bias, int[] lead) {
        int r = bias.shape.length;
        if (r == lead.length + 2) {
            return new View(bias.storage, bias.shape, bias.strides, bias.offset);
        }
        // A single problem of rank 2: one leading dimension of size 1.
        return new View(bias.storage, new int[] {1, bias.shape[0], bias.shape[1]},
                new int[] {0, bias.strides[0], bias.strides[1]}, bias.offset);
    }

    /** The dropout's factors in {@code like}'s shape, as a new constant tensor. */
    private static Tensor mask(Tensor like, AttentionDropout dropout) {
        Tensor m = Kernels.uninitialised(like.backend, DType.FLOAT32, like.shape);
        like.backend.fillDropoutMask(m.view(), dropout.state(), dropout.p(), dropout.keep());
        return m;
    }

    /** {@code matrices} when it is a copy of {@code t}, null when it views {@code t}. */
    private static Tensor copyOf(Tensor matrices, Tensor t) {
        return matrices.storage == t.storage ? null : matrices;
    }

    /**
     * A new FLOAT32 tensor of {@code shape} whose dimensions lie in memory in the order of a tensor
     * of {@code likeShape} and {@code likeStrides} (outermost = largest stride), as PyTorch lays out
     * attention results: a query that views heads of a projection ({@code [N, H, L, D]} in an
     * {@code [L, N, H * D]} or {@code [N, L, H * D]} buffer) gets an output that permutes back to
     * {@code [L, N, E]} or {@code [N, L, E]} without a copy. The last dimension stays innermost.
     */
    private static Tensor emptyLike(int[] likeShape, int[] likeStrides, int[] shape, Backend backend) {
        int d = shape.length;
        Integer[] order = new Integer[d - 1];
        for (int i = 0; i < d - 1; i++) {
            order[i] = i;
        }
        // Stable: equal strides (dimensions of size 1) keep their order.
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
        return Kernels.restride(dense, dense.shape, strides, 0);
    }

    /** Whether the kernels can read {@code t}'s matrices in place: unit column stride, rows that do not overlap. */
    private static boolean rowMajor(Tensor t) {
        int d = t.shape.length;
        int rows = t.shape[d - 2];
        int cols = t.shape[d - 1];
        return (t.strides[d - 1] == 1 || cols == 1) && (rows == 1 || t.strides[d - 2] >= cols);
    }

    /**
     * The kernels' view of {@code t}: {@code [lead..., rows, cols]}, from {@code t} shaped so
     * already (its own strides), or from {@code t} as {@code [batch, rows, cols]} (its batch
     * stride split over {@code lead}) or {@code [rows, cols]}. A single column or row gets the
     * strides a compact one has, which the kernels assume.
     */
    private static View kernelView(Tensor t, int[] lead) {
        int r = t.shape.length;
        int rows = t.shape[r - 2];
        int cols = t.shape[r - 1];
        int rank = lead.length + 2;
        int[] shape = Arrays.copyOf(lead, rank);
        shape[rank - 2] = rows;
        shape[rank - 1] = cols;
        int[] strides = new int[rank];
        strides[rank - 1] = 1;
        strides[rank - 2] = rows == 1 ? cols : t.strides[r - 2];
        if (r == rank) {
            System.arraycopy(t.strides, 0, strides, 0, rank - 2);
        } else {
            int step = r == 3 ? t.strides[0] : rows * cols;
            for (int i = rank - 3; i >= 0; i--) {
                strides[i] = step;
                step *= lead[i];
            }
        }
        return new View(t.storage, shape, strides, t.offset);
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
