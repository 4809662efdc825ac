package dev.tessera.nn.optim;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Runs schedulers one after another, as PyTorch's {@code SequentialLR}: scheduler {@code k} is in
 * charge from {@code milestones[k-1]} (inclusive) to {@code milestones[k]}, and restarts its own
 * schedule at epoch 0 when it takes over. E.g. five epochs of linear warm-up, then cosine annealing:
 *
 * <pre>{@code
 * var cosine = new CosineAnnealingLR(opt, 95);
 * var sched = SequentialLR.withLinearWarmup(opt, 5, 0.01f, cosine);
 * }</pre>
 *
 * <p>Only this scheduler must be stepped; the children serve as schedules ({@link LrScheduler#lrAt})
 * and must drive the same optimizer. All of them scale the groups' shared initial learning rates.
 */
public final class SequentialLR extends LrScheduler {
    private final List<LrScheduler> schedulers;
    private final int[] milestones;

    /**
     * Chains {@code schedulers} at {@code milestones} (strictly increasing, one fewer than the
     * schedulers) and sets the epoch-0 learning rates of the first.
     *
     * @throws IllegalArgumentException if the counts do not match, the milestones are not increasing positive epochs, or a
     *                                  scheduler drives another optimizer
     */
    public SequentialLR(Optimizer optimizer, List<LrScheduler> schedulers, int[] milestones) {
        super("SequentialLR", optimizer);
        Objects.requireNonNull(schedulers, "SequentialLR: schedulers must not be null");
        Objects.requireNonNull(milestones, "SequentialLR: milestones must not be null");
        if (schedulers.isEmpty() || milestones.length != schedulers.size() - 1) {
            throw new IllegalArgumentException("SequentialLR: needs one milestone fewer than schedulers, got "
                    + schedulers.size() + " schedulers and milestones " + Arrays.toString(milestones));
        }
        for (int i = 0; i < milestones.length; i++) {
            if (milestones[i] < 1 || (i > 0 && milestones[i] <= milestones[i - 1])) {
                throw new IllegalArgumentException("SequentialLR: milestones must be strictly increasing epochs >= 1, got "
                        + Arrays.toString(milestones));
            }
        }
        for (int i = 0; i < schedulers.size(); i++) {
            LrScheduler s = Objects.requireNonNull(schedulers.get(i), "SequentialLR: scheduler " + i + " is null");
            if (s.optimizer() != optimizer) {
                throw new IllegalArgumentException("SequentialLR: scheduler " + i + " (" + s.name()
                        + ") drives a different optimizer than the one given");
            }
        }
        this.schedulers = List.copyOf(schedulers);
        this.milestones = milestones.clone();
        initialize();
    }

    /**
     * Returns a linear warm-up from {@code startFactor * base} to {@code base} over {@code
     * warmupSteps} epochs ({@link LinearLR}), followed by {@code after} restarted at epoch 0.
     *
     * @throws IllegalArgumentException if {@code warmupSteps < 1} or {@code startFactor} is outside (0, 1]
     */
    public static SequentialLR withLinearWarmup(Optimizer optimizer, int warmupSteps, float startFactor, LrScheduler after) {
        if (warmupSteps < 1) {
            throw new IllegalArgumentException("SequentialLR.withLinearWarmup: warmupSteps must be >= 1, got " + warmupSteps);
        }
        LinearLR warmup = new LinearLR(optimizer, startFactor, 1f, warmupSteps);
        return new SequentialLR(optimizer, List.of(warmup, after), new int[] {warmupSteps});
    }

    /** Returns the learning rate of the scheduler in charge at {@code epoch}, at its own epoch since it took over. */
    @Override
    public double lrAt(int epoch, double baseLr) {
        int k = 0;
        while (k < milestones.length && milestones[k] <= epoch) {
            k++;
        }
        int local = k == 0 ? epoch : epoch - milestones[k - 1];
        return schedulers.get(k).lrAt(local, baseLr);
    }
}
