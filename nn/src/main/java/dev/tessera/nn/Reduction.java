package dev.tessera.nn;

import dev.tessera.Tensor;

/**
 * How a loss turns its per-element values into the returned tensor, as PyTorch's
 * {@code reduction} argument: {@link #MEAN} (the default of every loss), {@link #SUM} or
 * {@link #NONE}.
 */
public enum Reduction {
    /** The mean of the per-element losses, a 0-d tensor (losses with ignored or weighted targets say what they divide by). */
    MEAN,
    /** The sum of the per-element losses, a 0-d tensor. */
    SUM,
    /** The per-element losses themselves, unreduced. */
    NONE;

    /**
     * Reduces {@code perElement} by this rule: its mean, its sum (both 0-d) or itself. Neither
     * argument is modified; the result is differentiable.
     */
    public Tensor apply(Tensor perElement) {
        return switch (this) {
            case MEAN -> perElement.mean();
            case SUM -> perElement.sum();
            case NONE -> perElement;
        };
    }
}
