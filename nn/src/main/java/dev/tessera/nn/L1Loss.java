package dev.tessera.nn;

import dev.tessera.Tensor;
import java.util.Objects;

/**
 * The mean absolute error {@code |input - target|} per element, as PyTorch's {@code L1Loss}, reduced
 * by a {@link Reduction} (mean by default). Its gradient at {@code input == target} is 0. Input and
 * target must have the same shape (no broadcasting, see {@link MSELoss}). A standalone class (two
 * inputs), with no parameters.
 */
public final class L1Loss {
    private final Reduction reduction;

    /** Creates the loss with the mean reduction. */
    public L1Loss() {
        this(Reduction.MEAN);
    }

    /** Creates the loss with the given reduction. */
    public L1Loss(Reduction reduction) {
        this.reduction = Objects.requireNonNull(reduction, "L1Loss: reduction must not be null");
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
        MSELoss.requireSameShape("l1Loss", input, target);
        Objects.requireNonNull(reduction, "l1Loss: reduction must not be null");
        return reduction.apply(input.sub(target).abs());
    }
}
