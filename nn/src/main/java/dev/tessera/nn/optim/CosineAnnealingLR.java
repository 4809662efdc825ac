package dev.tessera.nn.optim;

/**
 * Anneals the learning rate from its base value to {@code etaMin} along half a cosine over {@code
 * tMax} epochs, as PyTorch's {@code CosineAnnealingLR} (its closed form, without restarts): {@code
 * lr(e) = etaMin + (base - etaMin) * (1 + cos(pi * e / tMax)) / 2}. Past {@code tMax} the cosine
 * continues (rising again), as in PyTorch; stop stepping or chain another schedule there.
 */
public final class CosineAnnealingLR extends LrScheduler {
    private final int tMax;
    private final double etaMin;

    /** Attaches the schedule with {@code etaMin = 0}; see {@link #CosineAnnealingLR(Optimizer, int, float)}. */
    public CosineAnnealingLR(Optimizer optimizer, int tMax) {
        this(optimizer, tMax, 0f);
    }

    /**
     * Attaches the schedule to {@code optimizer} and sets the epoch-0 learning rates.
     *
     * @throws IllegalArgumentException if {@code tMax < 1} or {@code etaMin} is negative or NaN
     */
    public CosineAnnealingLR(Optimizer optimizer, int tMax, float etaMin) {
        super("CosineAnnealingLR", optimizer);
        if (tMax < 1) {
            throw new IllegalArgumentException("CosineAnnealingLR: tMax must be >= 1, got " + tMax);
        }
        if (!(etaMin >= 0f)) {
            throw new IllegalArgumentException("CosineAnnealingLR: etaMin must be >= 0, got " + etaMin);
        }
        this.tMax = tMax;
        this.etaMin = etaMin;
        initialize();
    }

    /** Returns {@code etaMin + (baseLr - etaMin) * (1 + cos(pi * epoch / tMax)) / 2}. */
    @Override
    public double lrAt(int epoch, double baseLr) {
        return etaMin + (baseLr - etaMin) * (1 + Math.cos(Math.PI * epoch / tMax)) / 2;
    }
}
