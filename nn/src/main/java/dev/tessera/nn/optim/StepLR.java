package dev.tessera.nn.optim;

/**
 * Multiplies the learning rate by {@code gamma} every {@code stepSize} epochs, as PyTorch's {@code
 * StepLR}: {@code lr(e) = base * gamma^floor(e / stepSize)}.
 */
public final class StepLR extends LrScheduler {
    private final int stepSize;
    private final double gamma;

    /**
     * Attaches the schedule to {@code optimizer} and sets the epoch-0 learning rates.
     *
     * @throws IllegalArgumentException if {@code stepSize < 1} or {@code gamma} is negative or NaN
     */
    public StepLR(Optimizer optimizer, int stepSize, float gamma) {
        super("StepLR", optimizer);
        if (stepSize < 1) {
            throw new IllegalArgumentException("StepLR: stepSize must be >= 1, got " + stepSize);
        }
        if (!(gamma >= 0f)) {
            throw new IllegalArgumentException("StepLR: gamma must be >= 0, got " + gamma);
        }
        this.stepSize = stepSize;
        this.gamma = gamma;
        initialize();
    }

    /** Returns {@code baseLr * gamma^floor(epoch / stepSize)}. */
    @Override
    public double lrAt(int epoch, double baseLr) {
        return baseLr * Math.pow(gamma, Math.floorDiv(epoch, stepSize));
    }
}
