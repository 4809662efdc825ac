package dev.tessera.nn.optim;

/** Multiplies the learning rate by {@code gamma} every epoch, as PyTorch's {@code ExponentialLR}: {@code lr(e) = base * gamma^e}. */
public final class ExponentialLR extends LrScheduler {
    private final double gamma;

    /**
     * Attaches the schedule to {@code optimizer} and sets the epoch-0 learning rates.
     *
     * @throws IllegalArgumentException if {@code gamma} is negative or NaN
     */
    public ExponentialLR(Optimizer optimizer, float gamma) {
        super("ExponentialLR", optimizer);
        if (!(gamma >= 0f)) {
            throw new IllegalArgumentException("ExponentialLR: gamma must be >= 0, got " + gamma);
        }
        this.gamma = gamma;
        initialize();
    }

    /** Returns {@code baseLr * gamma^epoch}. */
    @Override
    public double lrAt(int epoch, double baseLr) {
        return baseLr * Math.pow(gamma, epoch);
    }
}
