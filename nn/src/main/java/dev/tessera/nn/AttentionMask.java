package dev.tessera.nn;

import dev.tessera.DType;
import dev.tessera.Device;
import dev.tessera.Shape;
import dev.tessera.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Says which query-key pairs attention may use. Tessera has no boolean dtype, so the mask's kind,
 * chosen by the factory, says how its tensor is read:
 *
 * <ul>
 *   <li>{@link #keep(Tensor)}: non-zero means "may attend", zero blocks: PyTorch's boolean mask
 *       for {@code scaled_dot_product_attention} ({@code True} = attend);</li>
 *   <li>{@link #block(Tensor)}: non-zero means "may not attend": PyTorch's boolean {@code
 *       attn_mask} and {@code key_padding_mask} of {@code MultiheadAttention} ({@code True} =
 *       masked out, e.g. padding);</li>
 *   <li>{@link #additive(Tensor)}: added to the scaled scores ({@code 0} to attend, {@code -inf}
 *       to block, anything else to bias); differentiable, so a learned bias works;</li>
 *   <li>{@link #causal()}: query {@code i} attends to keys {@code j <= i} (aligned top-left, as
 *       PyTorch's {@code is_causal}).</li>
 * </ul>
 *
 * <p>Tensors (FLOAT32 or INT32) broadcast against the scores {@code [..., L, S]}. Masks combine
 * with {@link #and(AttentionMask)}: a pair is allowed when every part allows it, additive parts
 * are summed. An entry counts as blocked when the combined bias is {@code <= }{@link #BLOCKED}
 * ({@code -inf} included); a query whose keys are all blocked gets a zero output and zero
 * gradients instead of PyTorch's NaN. Masks are immutable values.
 */
public final class AttentionMask {
    /**
     * The bias of a blocked pair ({@code -1e30}): finite, so a fully masked row never produces
     * {@code inf - inf}, yet far below any real score, so {@code exp(BLOCKED - max)} is exactly 0.
     */
    public static final float BLOCKED = -1e30f;

    private enum Kind { KEEP, BLOCK, ADDITIVE, CAUSAL }

    private record Part(Kind kind, Tensor tensor) {
    }

    private final List<Part> parts;

    private AttentionMask(List<Part> parts) {
        this.parts = List.copyOf(parts);
    }

    private static AttentionMask of(Kind kind, Tensor t, String factory) {
        Objects.requireNonNull(t, "AttentionMask." + factory + ": tensor must not be null");
        if (t.dim() == 0) {
            throw new IllegalArgumentException("AttentionMask." + factory + ": needs at least one dimension, got a 0-d tensor");
        }
        if (kind == Kind.ADDITIVE && t.dtype() != DType.FLOAT32) {
            throw new IllegalArgumentException("AttentionMask.additive: needs a FLOAT32 tensor, got " + t.dtype()
                    + " of shape " + Shape.str(t.shape()));
        }
        return new AttentionMask(List.of(new Part(kind, t)));
    }

    /** Returns a mask allowing the pairs where {@code allowed} is non-zero (1 = attend, 0 = blocked). */
    public static AttentionMask keep(Tensor allowed) {
        return of(Kind.KEEP, allowed, "keep");
    }

    /** Returns a mask blocking the pairs where {@code blocked} is non-zero (1 = masked out, e.g. padding). */
    public static AttentionMask block(Tensor blocked) {
        return of(Kind.BLOCK, blocked, "block");
    }

    /** Returns a mask adding the FLOAT32 {@code bias} to the scaled scores ({@code -inf} blocks). */
    public static AttentionMask additive(Tensor bias) {
        return of(Kind.ADDITIVE, bias, "additive");
    }

    /** Returns the causal mask: query {@code i} attends to keys {@code 0..i}, sized at use. */
    public static AttentionMask causal() {
        return new AttentionMask(List.of(new Part(Kind.CAUSAL, null)));
    }

    /**
     * Returns the combination of this mask and {@code other} (this mask itself if {@code other} is
     * null): a pair is allowed when both allow it. Neither mask is modified.
     */
    public AttentionMask and(AttentionMask other) {
        if (other == null) {
            return this;
        }
        List<Part> all = new ArrayList<>(parts);
        all.addAll(other.parts);
        return new AttentionMask(all);
    }

    /** Returns true when this mask contains a causal part. */
    public boolean isCausal() {
        return parts.stream().anyMatch(p -> p.kind == Kind.CAUSAL);
    }

    /** Returns a mask of the same kinds with {@code f} applied to each tensor (e.g. a reshape). */
    AttentionMask mapTensors(UnaryOperator<Tensor> f) {
        List<Part> out = new ArrayList<>();
        for (Part p : parts) {
            out.add(p.tensor == null ? p : new Part(p.kind, f.apply(p.tensor)));
        }
        return new AttentionMask(out);
    }

    /** Returns the shapes of the mask's tensors (for error messages), e.g. {@code keep[2, 5] & causal}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Part p : parts) {
            if (sb.length() > 0) {
                sb.append(" & ");
            }
            sb.append(p.kind.name().toLowerCase(java.util.Locale.ROOT));
            if (p.tensor != null) {
                sb.append(Shape.str(p.tensor.shape()));
            }
        }
        return sb.toString();
    }

    /**
     * Returns true when some query may have all its keys blocked (false for causal-only masks,
     * where query {@code i} always sees key 0).
     */
    boolean mayBlockWholeRows() {
        return parts.stream().anyMatch(p -> p.kind != Kind.CAUSAL);
    }

    /**
     * Returns the additive bias of the combined mask for {@code l} queries and {@code s} keys on
     * {@code device}: 0 where allowed, {@link #BLOCKED} (or less) where blocked, the additive values
     * elsewhere. Its shape is the mask tensors' own broadcast shape (at most {@code [..., l, s]}),
     * so it is usually far smaller than the scores.
     *
     * @throws IllegalArgumentException naming {@code op} if a tensor does not broadcast to {@code [..., l, s]}
     */
    Tensor bias(String op, int l, int s, Device device) {
        Tensor sum = null;
        boolean additive = false;
        for (Part p : parts) {
            Tensor b;
            if (p.kind == Kind.CAUSAL) {
                b = Constants.causalBias(device, l, s); // built once per device and sizes, read-only
            } else {
                Tensor t = p.tensor.to(device);
                checkShape(op, t, l, s);
                if (p.kind != Kind.ADDITIVE) {
                    t = t.to(DType.FLOAT32);
                }
                b = switch (p.kind) {
                    case KEEP -> t.eq(0f).mul(BLOCKED);
                    case BLOCK -> t.ne(0f).mul(BLOCKED);
                    default -> t;
                };
                additive |= p.kind == Kind.ADDITIVE;
            }
            sum = sum == null ? b : sum.add(b);
        }
        // -inf in an additive mask would give inf - inf = NaN in a fully masked row: cap it.
        return additive ? sum.clamp(BLOCKED, Float.POSITIVE_INFINITY) : sum;
    }

    private void checkShape(String op, Tensor t, int l, int s) {
        int[] shape = t.shape();
        int n = shape.length;
        boolean fits = (shape[n - 1] == s || shape[n - 1] == 1) && (n < 2 || shape[n - 2] == l || shape[n - 2] == 1);
        if (!fits) {
            throw new IllegalArgumentException(op + ": mask " + this + " does not broadcast to the scores [..., " + l + ", "
                    + s + "] (" + l + " queries, " + s + " keys)");
        }
    }

    /**
     * Returns 1 for each query row of {@code bias} with at least one allowed key, 0 for a fully
     * blocked row; shaped like {@code bias} with the last dimension 1.
     */
    static Tensor rowAllowed(Tensor bias) {
        return bias.gt(BLOCKED).sum(-1, true).gt(0f);
    }
}
