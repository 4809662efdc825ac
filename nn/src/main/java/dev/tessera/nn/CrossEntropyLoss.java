package dev.tessera.nn;

import dev.tessera.DType;
import dev.tessera.Shape;
import dev.tessera.Tensor;
import java.util.Arrays;
import java.util.Objects;

/**
 * The cross-entropy loss between logits and targets, as PyTorch's {@code CrossEntropyLoss}: the
 * log-softmax of the logits along the class dimension followed by {@link NLLLoss}.
 *
 * <p>Inputs: FLOAT32 logits of shape {@code [N, C]} or {@code [N, C, d1, ...]} (or {@code [C]} for
 * one unbatched sample). Targets are either INT32 class indices of shape {@code [N]} or {@code [N,
 * d1, ...]} (0-d for an unbatched sample), or FLOAT32 class probabilities of the logits' own shape.
 *
 * <p>Options (PyTorch's semantics): class {@code weight} of shape {@code [C]}; {@code ignoreIndex}
 * (index targets only, default -100): those targets contribute nothing and the mean divides by the
 * number (total weight) of the others; {@code labelSmoothing} {@code s} in {@code [0, 1]}: the loss is
 * {@code (1 - s) * nll + s / C * sum_c(-w_c * logp_c)} for index targets, and uses the smoothed
 * distribution {@code (1 - s) * p + s / C} for probability targets. With probability targets the
 * mean divides by the number of samples ({@code N * d1 * ...}).
 *
 * <p>A standalone class rather than a {@code Module}, because it takes two inputs; no parameters.
 */
public final class CrossEntropyLoss {
    private final Tensor weight;
    private final Reduction reduction;
    private final int ignoreIndex;
    private final float labelSmoothing;

    /** Creates the loss with the mean reduction, ignore index -100, no label smoothing and no class weights. */
    public CrossEntropyLoss() {
        this(null, Reduction.MEAN, NLLLoss.DEFAULT_IGNORE_INDEX, 0f);
    }

    /** Creates the loss with the given reduction and the other defaults. */
    public CrossEntropyLoss(Reduction reduction) {
        this(null, reduction, NLLLoss.DEFAULT_IGNORE_INDEX, 0f);
    }

    /** Creates the loss with the given reduction, ignore index and label smoothing, without class weights. */
    public CrossEntropyLoss(Reduction reduction, int ignoreIndex, float labelSmoothing) {
        this(null, reduction, ignoreIndex, labelSmoothing);
    }

    /**
     * Creates the loss.
     *
     * @param weight         FLOAT32 class weights {@code [C]}, or null (not copied)
     * @param reduction      how the per-element losses are reduced
     * @param ignoreIndex    the index target that contributes nothing
     * @param labelSmoothing the smoothing {@code s} in {@code [0, 1]}
     * @throws IllegalArgumentException if {@code labelSmoothing} is outside {@code [0, 1]} or the weight is not a FLOAT32 vector
     */
    public CrossEntropyLoss(Tensor weight, Reduction reduction, int ignoreIndex, float labelSmoothing) {
        this.weight = weight;
        this.reduction = Objects.requireNonNull(reduction, "CrossEntropyLoss: reduction must not be null");
        this.ignoreIndex = ignoreIndex;
        this.labelSmoothing = labelSmoothing;
        requireSmoothing("CrossEntropyLoss", labelSmoothing);
        if (weight != null) {
            NLLLoss.requireWeight("CrossEntropyLoss", weight, -1);
        }
    }

    /**
     * Returns the loss of {@code logits} against {@code targets}; modifies neither.
     *
     * @throws IllegalArgumentException naming the shapes, dtypes or bad target value when they do not fit
     */
    public Tensor forward(Tensor logits, Tensor targets) {
        return compute(logits, targets, weight, reduction, ignoreIndex, labelSmoothing);
    }

    /** Returns the reduction. */
    public Reduction reduction() {
        return reduction;
    }

    /** Returns the ignored target index. */
    public int ignoreIndex() {
        return ignoreIndex;
    }

    /** Returns the label smoothing. */
    public float labelSmoothing() {
        return labelSmoothing;
    }

    /** Returns the class weights, or null when there are none. */
    public Tensor weight() {
        return weight;
    }

    static void requireSmoothing(String op, float labelSmoothing) {
        if (!(labelSmoothing >= 0f && labelSmoothing <= 1f)) {
            throw new IllegalArgumentException(op + ": labelSmoothing must be in [0, 1], got " + labelSmoothing);
        }
    }

    /** The functional form behind {@link F#crossEntropy}. */
    static Tensor compute(Tensor logits, Tensor targets, Tensor weight, Reduction reduction, int ignoreIndex,
            float labelSmoothing) {
        String op = "crossEntropy";
        Objects.requireNonNull(logits, op + ": input must not be null");
        Objects.requireNonNull(targets, op + ": targets must not be null");
        Objects.requireNonNull(reduction, op + ": reduction must not be null");
        requireSmoothing(op, labelSmoothing);
        NLLLoss.requireFloat(op, "input", logits);
        if (logits.dim() == 0) {
            throw new IllegalArgumentException(op + ": input must have a class dimension ([C], [N, C] or [N, C, d1, ...]),"
                    + " got a 0-d tensor");
        }
        int classDim = logits.dim() == 1 ? 0 : 1;
        Tensor logp = logits.logSoftmax(classDim);
        if (targets.dtype() == DType.INT32) {
            return NLLLoss.compute(op, logp, targets, weight, reduction, ignoreIndex, labelSmoothing);
        }
        if (!Arrays.equals(targets.shape(), logits.shape())) {
            throw new IllegalArgumentException(op + ": targets must be INT32 class indices (shape [N, d1, ...]) or FLOAT32"
                    + " class probabilities of the input's shape " + Shape.str(logits.shape()) + ", got " + targets.dtype()
                    + " of shape " + Shape.str(targets.shape()));
        }
        return soft(logp, targets, classDim, weight, reduction, labelSmoothing);
    }

    /** {@code -sum_c w_c * q_c * logp_c} with {@code q = (1 - s) * p + s / C}; the mean is over samples. */
    private static Tensor soft(Tensor logp, Tensor probs, int classDim, Tensor weight, Reduction reduction, float s) {
        int c = logp.size(classDim);
        Tensor q = s > 0f ? probs.mul(1f - s).add(s / c) : probs;
        Tensor prod = logp.mul(q);
        if (weight != null) {
            NLLLoss.requireWeight("crossEntropy", weight, c);
            prod = prod.mul(weight.reshape(NLLLoss.classShape(logp.dim(), c)));
        }
        return reduction.apply(prod.sum(classDim, false).neg());
    }
}
