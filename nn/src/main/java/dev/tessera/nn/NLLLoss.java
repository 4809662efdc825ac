package dev.tessera.nn;

import dev.tessera.DType;
import dev.tessera.Device;
import dev.tessera.Shape;
import dev.tessera.Tensor;
import java.util.Objects;

/**
 * The negative log-likelihood loss over class-index targets, as PyTorch's {@code NLLLoss}: for
 * log-probabilities {@code logp} of shape {@code [N, C]} or {@code [N, C, d1, ...]} (or {@code [C]}
 * for one unbatched sample) and INT32 targets {@code t} of shape {@code [N]} or {@code [N, d1, ...]}
 * (or 0-d), the loss of element {@code i} is {@code -w[t_i] * logp[i, t_i]} ({@code w} = 1 without
 * class weights).
 *
 * <p>Targets equal to {@code ignoreIndex} (default -100) contribute nothing; {@link Reduction#MEAN}
 * divides the sum by the total weight of the non-ignored targets (their count without class
 * weights), which is NaN when every target is ignored, as in PyTorch.
 *
 * <p>This is a standalone class rather than a {@code Module} because it takes two inputs; it holds
 * no parameters. The loss is built from tensor ops only ({@code gather}, {@code where}, sums), so it
 * runs on any device and reads nothing back to the host there: the ignored targets are masked and
 * counted on the device, and the targets are validated by the {@code gather} that picks the
 * log-probabilities (a backend checks each index against the number of classes).
 *
 * <p>Bad targets: on the CPU, where reading them costs no synchronisation, they are checked before
 * anything is computed and the {@link IllegalArgumentException} names the loss, the bad target, its
 * position and the number of classes. On other devices the backend reports the bad index (the
 * target value) and the size of the class dimension as a {@code gather} error, which a GPU backend
 * may raise only at the next read-back (for example the next {@code item()}).
 */
public final class NLLLoss {
    /** PyTorch's default {@code ignore_index}. */
    public static final int DEFAULT_IGNORE_INDEX = -100;

    private final Tensor weight;
    private final Reduction reduction;
    private final int ignoreIndex;

    /** Creates the loss with the mean reduction, ignore index -100 and no class weights. */
    public NLLLoss() {
        this(null, Reduction.MEAN, DEFAULT_IGNORE_INDEX);
    }

    /** Creates the loss with the given reduction, ignore index -100 and no class weights. */
    public NLLLoss(Reduction reduction) {
        this(null, reduction, DEFAULT_IGNORE_INDEX);
    }

    /** Creates the loss with the given reduction and ignore index, and no class weights. */
    public NLLLoss(Reduction reduction, int ignoreIndex) {
        this(null, reduction, ignoreIndex);
    }

    /**
     * Creates the loss.
     *
     * @param weight      FLOAT32 class weights of shape {@code [C]}, or null for all ones (not copied: later
     *                    changes to it are seen)
     * @param reduction   how the per-element losses are reduced
     * @param ignoreIndex the target value that contributes nothing
     */
    public NLLLoss(Tensor weight, Reduction reduction, int ignoreIndex) {
        this.weight = weight;
        this.reduction = Objects.requireNonNull(reduction, "NLLLoss: reduction must not be null");
        this.ignoreIndex = ignoreIndex;
        if (weight != null) {
            requireWeight("NLLLoss", weight, -1);
        }
    }

    /**
     * Returns the loss of {@code logProbs} (FLOAT32 log-probabilities along dimension 1) against the
     * INT32 class indices {@code targets}; modifies neither.
     *
     * @throws IllegalArgumentException naming the shapes or the bad target value when they do not fit
     */
    public Tensor forward(Tensor logProbs, Tensor targets) {
        return compute("nllLoss", logProbs, targets, weight, reduction, ignoreIndex, 0f);
    }

    /** Returns the reduction. */
    public Reduction reduction() {
        return reduction;
    }

    /** Returns the target value that is ignored. */
    public int ignoreIndex() {
        return ignoreIndex;
    }

    /** Returns the class weights, or null when there are none. */
    public Tensor weight() {
        return weight;
    }

    /**
     * The class-index loss shared with cross-entropy: {@code (1 - s) * nll + (s / C) * smooth}, where
     * {@code smooth_i = -sum_c w_c * logp[i, c]} (PyTorch's label smoothing); {@code s = 0} gives the
     * plain NLL loss. Both parts are reduced alike; the mean divides by the total weight of the
     * non-ignored targets.
     */
    static Tensor compute(String op, Tensor logp, Tensor target, Tensor weight, Reduction reduction, int ignoreIndex,
            float smoothing) {
        Objects.requireNonNull(logp, op + ": input must not be null");
        Objects.requireNonNull(target, op + ": targets must not be null");
        Objects.requireNonNull(reduction, op + ": reduction must not be null");
        requireFloat(op, "input", logp);
        if (logp.dim() == 0) {
            throw new IllegalArgumentException(op + ": input must have a class dimension ([C], [N, C] or [N, C, d1, ...]),"
                    + " got a 0-d tensor");
        }
        if (target.dtype() != DType.INT32) {
            throw new IllegalArgumentException(op + ": targets must be INT32 class indices, got " + target.dtype()
                    + " of shape " + Shape.str(target.shape()) + " (create them with Tensor.ofInts or convert with to(DType.INT32))");
        }
        boolean unbatched = logp.dim() == 1;
        if (unbatched) {
            if (target.dim() != 0) {
                throw new IllegalArgumentException(op + ": an unbatched input of shape " + Shape.str(logp.shape())
                        + " needs a 0-d target, got shape " + Shape.str(target.shape()));
            }
            logp = logp.unsqueeze(0);
            target = target.reshape(1);
        }
        requireTargetShape(op, logp, target);
        int c = logp.size(1);
        if (weight != null) {
            requireWeight(op, weight, c);
        }
        // On the CPU reading the targets costs no synchronisation: check them there, naming the loss and
        // the value, and learn whether any is ignored. Elsewhere nothing is read: assume some may be.
        boolean onCpu = target.device().equals(Device.cpu());
        boolean anyIgnored = !onCpu || checkTargetValues(op, logp, target, ignoreIndex) > 0;

        Tensor zero = Tensor.scalar(logp.device(), 0f);
        // Ignored targets become class 0 for the gather and are zeroed by the where below.
        Tensor mask = anyIgnored ? target.ne(ignoreIndex) : null; // FLOAT32 0/1
        Tensor safe = mask == null ? target : target.mul(mask.to(DType.INT32));
        // The gather checks the targets against [0, C) inside the backend.
        Tensor nll = logp.gather(1, safe.unsqueeze(1)).squeeze(1).neg();
        Tensor classWeight = null;
        if (weight != null) {
            classWeight = weight.indexSelect(0, safe.reshape(-1)).reshape(safe.shape());
            nll = nll.mul(classWeight);
        }
        if (mask != null) {
            nll = Tensor.where(mask, nll, zero); // not a product: -inf log-probabilities of ignored targets stay out
        }
        // The number (or total class weight) of the non-ignored targets, counted on the device.
        Tensor denominator = null;
        if (reduction == Reduction.MEAN) {
            if (classWeight != null) {
                denominator = (mask == null ? classWeight : classWeight.mul(mask)).sum();
            } else {
                denominator = mask == null ? Tensor.scalar(logp.device(), (float) target.numel()) : mask.sum();
            }
        }
        Tensor result = reduce(nll, reduction, denominator);
        if (smoothing > 0f) {
            Tensor weighted = weight == null ? logp : logp.mul(weight.reshape(classShape(logp.dim(), c)));
            Tensor smooth = weighted.sum(1, false).neg();
            if (mask != null) {
                smooth = Tensor.where(mask, smooth, zero);
            }
            result = result.mul(1f - smoothing).add(reduce(smooth, reduction, denominator).mul(smoothing / c));
        }
        return unbatched && reduction == Reduction.NONE ? result.reshape() : result;
    }

    private static Tensor reduce(Tensor perElement, Reduction reduction, Tensor denominator) {
        return switch (reduction) {
            case MEAN -> perElement.sum().div(denominator);
            case SUM -> perElement.sum();
            case NONE -> perElement;
        };
    }

    /** {@code [1, C, 1, ...]} with {@code rank} dimensions: class weights broadcast along dimension 1. */
    static int[] classShape(int rank, int c) {
        int[] shape = new int[rank];
        java.util.Arrays.fill(shape, 1);
        shape[rank == 1 ? 0 : 1] = c;
        return shape;
    }

    static void requireFloat(String op, String what, Tensor t) {
        if (t.dtype() != DType.FLOAT32) {
            throw new IllegalArgumentException(op + ": " + what + " must be FLOAT32, got " + t.dtype() + " of shape "
                    + Shape.str(t.shape()));
        }
    }

    /** Checks {@code weight} is a FLOAT32 vector of {@code c} entries ({@code c < 0}: any length). */
    static void requireWeight(String op, Tensor weight, int c) {
        requireFloat(op, "class weight", weight);
        if (weight.dim() != 1 || (c >= 0 && weight.size(0) != c)) {
            throw new IllegalArgumentException(op + ": class weight must have shape [C]" + (c >= 0 ? " = [" + c + "]" : "")
                    + ", got " + Shape.str(weight.shape()));
        }
    }

    /** Checks that {@code target} is {@code input}'s shape without dimension 1. */
    private static void requireTargetShape(String op, Tensor input, Tensor target) {
        int[] in = input.shape();
        int[] expected = new int[in.length - 1];
        expected[0] = in[0];
        System.arraycopy(in, 2, expected, 1, in.length - 2);
        int[] got = target.shape();
        if (java.util.Arrays.equals(expected, got)) {
            return;
        }
        if (got.length >= 1 && got[0] != in[0]) {
            throw new IllegalArgumentException(op + ": input " + Shape.str(in) + " and targets " + Shape.str(got)
                    + ": batch sizes " + in[0] + " and " + got[0] + " differ");
        }
        throw new IllegalArgumentException(op + ": targets for input " + Shape.str(in) + " must have shape "
                + Shape.str(expected) + ", got " + Shape.str(got));
    }

    /**
     * Reads the targets (meant for the CPU, where that is a plain memory access) and checks each is
     * in {@code [0, C)} or the ignore index; returns how many are ignored.
     */
    private static long checkTargetValues(String op, Tensor input, Tensor target, int ignoreIndex) {
        int c = input.size(1);
        int[] values = target.toIntArray();
        long ignored = 0;
        for (int i = 0; i < values.length; i++) {
            int v = values[i];
            if (v == ignoreIndex) {
                ignored++;
            } else if (v < 0 || v >= c) {
                throw new IllegalArgumentException(op + ": target " + v + " (at flat position " + i + " of targets "
                        + Shape.str(target.shape()) + ") is outside [0, " + c + ") for input " + Shape.str(input.shape())
                        + " with " + c + " classes (ignoreIndex is " + ignoreIndex + ")");
            }
        }
        return ignored;
    }
}
