package dev.tessera.nn.optim;

import java.util.Objects;
import java.util.function.IntToDoubleFunction;

/**
 * Scales the learning rate by a user function of the epoch, as PyTorch's {@code LambdaLR}: {@code
 * lr(e) = base * factor(e)}; e.g. {@code e -> Math.min(1, (e + 1) / 1000.0)} for a warm-up.
 */
public final class LambdaLR extends LrScheduler {
    private final IntToDoubleFunction factor;

    /**
     * Attaches the schedule to {@code optimizer} and sets the epoch-0 learning rates ({@code base * factor(0)}).
     *
     * @throws IllegalArgumentException if the factor at epoch 0 is negative or NaN
     */
    public LambdaLR(Optimizer optimizer, IntToDoubleFunction factor) {
        super("LambdaLR", optimizer);
        this.factor = Objects.requireNonNull(factor, "LambdaLR: factor must not be null");
        initialize();
    }

    /** Returns {@code baseLr * factor(epoch)}. */
    @Override
    public double lrAt(int epoch, double baseLr) {
        return baseLr * factor.applyAsDouble(epoch);
    }
}
