package dev.tessera.nn;

import dev.tessera.DType;
import dev.tessera.Fused;
import dev.tessera.FusedAttention;
import dev.tessera.Generator;
import dev.tessera.Shape;
import dev.tessera.Tensor;
import java.util.Arrays;
import java.util.Objects;

/**
 * Scaled dot-product attention {@code softmax(q k^T / sqrt(E) + bias) v}, composed from tensor ops
 * so that it is differentiable and runs on any backend. Shared by {@link F} and {@link
 * MultiheadAttention}.
 *
 * <p>It runs as {@link FusedAttention}, the mask's bias and dropout included (dropping the
 * probabilities this composition would), unless the weights are asked for, the bias needs a
 * gradient (a learned additive mask) or a mask broadcasts q to more problems than it has.
 * Otherwise, per {@code [L, S]} attention matrix, the forward materialises: the scores {@code q' k^T}
 * (the scale is applied to {@code q}, an {@code [L, E]} tensor, not to the scores), the masked
 * scores {@code scores + bias} (only with a mask), and the probabilities; with dropout, the 0/1
 * keep mask and the dropped probabilities (the {@code 1 / (1 - p)} factor is applied to the {@code
 * [L, Ev]} output instead). The bias is built in the mask's own shape (e.g. {@code [N, 1, 1, S]}
 * for key padding, {@code [L, S]} for a causal mask), never at the scores' size. A query whose keys
 * are all blocked has its output row (and so its gradients) multiplied by 0, which costs an {@code
 * [L, Ev]} product, not another {@code [L, S]} one.
 */
final class Attention {
    private Attention() {
    }

    /**
     * The output {@code [..., L, Ev]} and, when asked for, the attention weights {@code [..., L,
     * S]} that multiplied {@code v} (after dropout and its scaling, zero for fully masked rows).
     */
    record Result(Tensor output, Tensor weights) {
    }

    /**
     * Computes attention for {@code q [..., L, E]}, {@code k [..., S, E]}, {@code v [..., S, Ev]}
     * (leading dimensions broadcast), blocking pairs by {@code mask} (null for none), dropping
     * attention probabilities with probability {@code dropoutP} using {@code g} (null: a generator
     * from {@link Random}); advances {@code g} when {@code dropoutP > 0}. Modifies nothing else.
     *
     * @throws IllegalArgumentException naming {@code op} and the shapes if they do not fit
     */
    static Result compute(String op, Tensor q, Tensor k, Tensor v, AttentionMask mask, float dropoutP, Generator g,
            boolean needWeights) {
        check(op, q, k, v, dropoutP);
        int l = q.size(-2);
        int s = k.size(-2);
        float scale = (float) (1.0 / Math.sqrt(q.size(-1)));
        Tensor bias = null;
        Tensor rowFactor = null; // [..., L or 1, 1]: 0 for fully masked rows (times the dropout scale, composed)
        if (mask != null) {
            bias = mask.bias(op, l, s, q.device());
            if (mask.mayBlockWholeRows()) {
                rowFactor = AttentionMask.rowAllowed(bias);
            }
        }
        if (!needWeights && sameBatch(q, k, v) && (bias == null || fitsTheFusedOp(bias, q))) {
            // A constant bias and dropout between the two products: one fused op, each problem
            // computed while in cache, dropping what the composed ops below would (same numbers of g).
            Generator gen = dropoutP > 0f && g == null ? Random.newGenerator() : g;
            Tensor out = FusedAttention.compute(q, k, v, scale, bias, dropoutP, gen);
            return new Result(rowFactor == null ? out : out.mul(rowFactor), null);
        }
        Tensor scores = q.mul(scale).matmul(k.transpose(-2, -1));
        if (bias != null) {
            scores = scores.add(bias);
        }
        Tensor attn = scores.softmax(-1);
        if (dropoutP > 0f) {
            Generator gen = g != null ? g : Random.newGenerator();
            float keepScale = dropoutP >= 1f ? 0f : 1f / (1f - dropoutP);
            Tensor keep;
            synchronized (gen) {
                keep = Fused.dropoutMask(attn, gen, dropoutP, 1f);
            }
            attn = attn.mul(keep);
            rowFactor = rowFactor == null ? Tensor.scalar(q.device(), keepScale) : rowFactor.mul(keepScale);
        }
        Tensor out = attn.matmul(v);
        if (rowFactor != null) {
            out = out.mul(rowFactor);
        }
        Tensor weights = null;
        if (needWeights) {
            weights = rowFactor == null ? attn : attn.mul(rowFactor);
        }
        return new Result(out, weights);
    }

    /**
     * Whether the fused op takes {@code bias}: constant, and broadcasting to q's leading dimensions
     * (a mask may also broadcast q to more problems, which only the composed ops do).
     */
    private static boolean fitsTheFusedOp(Tensor bias, Tensor q) {
        int r = bias.dim();
        int d = q.dim();
        if (bias.requiresGrad() || r > d) {
            return false;
        }
        for (int i = 3; i <= r; i++) {
            if (bias.size(r - i) != 1 && bias.size(r - i) != q.size(d - i)) {
                return false;
            }
        }
        return true;
    }

    /** Whether q, k and v have the same leading (batch) dimensions, as the fused op requires. */
    private static boolean sameBatch(Tensor q, Tensor k, Tensor v) {
        int d = q.dim();
        return k.dim() == d && v.dim() == d
                && Arrays.equals(q.shape(), 0, d - 2, k.shape(), 0, d - 2)
                && Arrays.equals(q.shape(), 0, d - 2, v.shape(), 0, d - 2);
    }

    private static void check(String op, Tensor q, Tensor k, Tensor v, float dropoutP) {
        Objects.requireNonNull(q, op + ": q must not be null");
        Objects.requireNonNull(k, op + ": k must not be null");
        Objects.requireNonNull(v, op + ": v must not be null");
        if (q.dim() < 2 || k.dim() < 2 || v.dim() < 2 || q.size(-1) != k.size(-1) || k.size(-2) != v.size(-2)) {
            throw new IllegalArgumentException(op + ": q " + Shape.str(q.shape()) + ", k " + Shape.str(k.shape()) + ", v "
                    + Shape.str(v.shape()) + " do not fit [..., L, E], [..., S, E], [..., S, Ev]");
        }
        if (q.dtype() != DType.FLOAT32 || k.dtype() != DType.FLOAT32 || v.dtype() != DType.FLOAT32) {
            throw new IllegalArgumentException(op + ": q, k and v must be FLOAT32, got " + q.dtype() + ", " + k.dtype()
                    + ", " + v.dtype());
        }
        if (!(dropoutP >= 0f && dropoutP <= 1f)) {
            throw new IllegalArgumentException(op + ": dropout probability must be in [0, 1], got " + dropoutP);
        }
    }
}
