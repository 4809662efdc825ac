package dev.tessera.nn.optim;

import java.util.Arrays;

/**
 * Multiplies the learning rate by {@code gamma} at each milestone epoch, as PyTorch's {@code
 * MultiStepLR}: {@code lr(e) = base * gamma^(number of milestones <= e)} (a milestone listed twice
 * counts twice).
 */
public final class MultiStepLR extends LrScheduler {
    private final int[] milestones;
    private final double gamma;

    /**
     * Attaches the schedule to {@code optimizer} and sets the epoch-0 learning rates; the milestones
     * are copied and sorted.
     *
     * @throws IllegalArgumentException if a milestone is negative or {@code gamma} is negative or NaN
     */
    public MultiStepLR(Optimizer optimizer, int[] milestones, float gamma) {
        super("MultiStepLR", optimizer);
        this.milestones = milestones.clone();
        Arrays.sort(this.milestones);
        if (this.milestones.length > 0 && this.milestones[0] < 0) {
            throw new IllegalArgumentException("MultiStepLR: milestones must be >= 0, got " + Arrays.toString(milestones));
        }
        if (!(gamma >= 0f)) {
            throw new IllegalArgumentException("MultiStepLR: gamma must be >= 0, got " + gamma);
        }
        this.gamma = gamma;
        initialize();
    }

    /** Returns {@code baseLr * gamma^(number of milestones <= epoch)}. */
    @Override
    public double lrAt(int epoch, double baseLr) {
        int passed = 0;
        while (passed < milestones.length && milestones[passed] <= epoch) {
            passed++;
        }
        return baseLr * Math.pow(gamma, passed);
    }
}
