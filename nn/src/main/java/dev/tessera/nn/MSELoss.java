package dev.tessera.nn;

import dev.tessera.Shape;
import dev.tessera.Tensor;
import java.util.Arrays;
import java.util.Objects;

/**
 * The mean squared error {@code (input - target)^2} per element, as PyTorch's {@code MSELoss},
 * reduced by a {@link Reduction} (mean by default).
 *
 * <p>Input and target must have the same shape: unlike PyTorch (which broadcasts with a warning),
 * a shape mismatch such as {@code [N]} against {@code [N, 1]} is an error, because broadcasting it
 * silently computes an {@code [N, N]} loss. A standalone class (two inputs), with no parameters.
 */
public final class MSELoss {
    private final Reduction reduction;

    /** Creates the loss with the mean reduction. */
    public MSELoss() {
        this(Reduction.MEAN);
    }

    /** Creates the loss with the given reduction. */
    public MSELoss(Reduction reduction) {
        this.reduction = Objects.requireNonNull(reduction, "MSELoss: reduction must not be null");
    }

    /**
     * Returns the loss of {@code input} against {@code target}; modifies neither.
     *
     * @throws IllegalArgumentException if they are not FLOAT32 tensors of one shape
     */
    public Tensor forward(Tensor input, Tensor target) {
        return compute(input, target, reduction);
    }

    /** Returns the reduction. */
    public Reduction reduction() {
        return reduction;
    }

    static Tensor compute(Tensor input, Tensor target, Reduction reduction) {
        requireSameShape("mseLoss", input, target);
        Objects.requireNonNull(reduction, "mseLoss: reduction must not be null");
        return reduction.apply(input.sub(target).square());
    }

    /** Checks both are non-null FLOAT32 tensors of one shape; shared by the elementwise losses. */
    static void requireSameShape(String op, Tensor input, Tensor target) {
        Objects.requireNonNull(input, op + ": input must not be null");
        Objects.requireNonNull(target, op + ": target must not be null");
        NLLLoss.requireFloat(op, "input", input);
        NLLLoss.requireFloat(op, "target", target);
        if (!Arrays.equals(input.shape(), target.shape())) {
            throw new IllegalArgumentException(op + ": input shape " + Shape.str(input.shape()) + " and target shape "
                    + Shape.str(target.shape()) + " differ (losses do not broadcast: that would silently compare every"
                    + " element with every other; reshape one of them)");
        }
    }
}
