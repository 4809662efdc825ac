package dev.tessera.nn.optim;

/**
 * Scales the learning rate by a factor that moves linearly from {@code startFactor} to {@code
 * endFactor} over {@code totalIters} epochs and then stays, as PyTorch's {@code LinearLR}: {@code
 * lr(e) = base * (start + (end - start) * min(e, totalIters) / totalIters)}. With {@code endFactor =
 * 1} it is a linear warm-up; see {@link SequentialLR#withLinearWarmup} to follow it with another
 * schedule.
 */
public final class LinearLR extends LrScheduler {
    private final double startFactor;
    private final double endFactor;
    private final int totalIters;

    /** Attaches PyTorch's default schedule: from 1/3 to 1 over 5 epochs. */
    public LinearLR(Optimizer optimizer) {
        this(optimizer, 1f / 3, 1f, 5);
    }

    /**
     * Attaches the schedule to {@code optimizer} and sets the epoch-0 learning rates ({@code base * startFactor}).
     *
     * @throws IllegalArgumentException if {@code startFactor} is outside (0, 1], {@code endFactor} outside [0, 1], or
     *                                  {@code totalIters < 1}
     */
    public LinearLR(Optimizer optimizer, float startFactor, float endFactor, int totalIters) {
        super("LinearLR", optimizer);
        if (!(startFactor > 0f && startFactor <= 1f)) {
            throw new IllegalArgumentException("LinearLR: startFactor must be in (0, 1], got " + startFactor);
        }
        if (!(endFactor >= 0f && endFactor <= 1f)) {
            throw new IllegalArgumentException("LinearLR: endFactor must be in [0, 1], got " + endFactor);
        }
        if (totalIters < 1) {
            throw new IllegalArgumentException("LinearLR: totalIters must be >= 1, got " + totalIters);
        }
        this.startFactor = startFactor;
        this.endFactor = endFactor;
        this.totalIters = totalIters;
        initialize();
    }

    /** Returns {@code baseLr * (start + (end - start) * min(epoch, totalIters) / totalIters)}. */
    @Override
    public double lrAt(int epoch, double baseLr) {
        return baseLr * (startFactor + (endFactor - startFactor) * Math.min(epoch, totalIters) / totalIters);
    }
}
