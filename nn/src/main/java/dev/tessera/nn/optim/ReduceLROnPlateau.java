package dev.tessera.nn.optim;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reduces the learning rate when a metric stops improving, as PyTorch's {@code ReduceLROnPlateau}.
 * Call {@link #step(float)} with the validation metric once per epoch. After more than {@code
 * patience} epochs without improvement, every group's learning rate becomes {@code max(lr * factor,
 * minLr)} (unless that changes it by at most {@code eps}) and {@code cooldown} epochs follow in
 * which bad epochs are not counted.
 *
 * <p>An improvement is, for {@link Mode#MIN}: {@code metric < best * (1 - threshold)} ({@link
 * ThresholdMode#REL}) or {@code metric < best - threshold} ({@link ThresholdMode#ABS}); for {@link
 * Mode#MAX}: {@code metric > best * (1 + threshold)} or {@code metric > best + threshold}. A NaN
 * metric is never an improvement.
 *
 * <p>It does not extend {@link LrScheduler}: its step needs the metric, and it scales the current
 * learning rate rather than following a closed-form schedule. Not thread-safe.
 */
public final class ReduceLROnPlateau {
    private static final Logger LOG = LoggerFactory.getLogger(ReduceLROnPlateau.class);

    /** Whether a smaller or a larger metric is better. */
    public enum Mode {
        /** Smaller is better (a loss). */
        MIN,
        /** Larger is better (an accuracy). */
        MAX
    }

    /** Whether {@code threshold} is relative to the best value or absolute. */
    public enum ThresholdMode {
        /** Improvement by a fraction of the best value. */
        REL,
        /** Improvement by an absolute amount. */
        ABS
    }

    private final Optimizer optimizer;
    private final Mode mode;
    private final double factor;
    private final int patience;
    private final double threshold;
    private final ThresholdMode thresholdMode;
    private final int cooldown;
    private final double minLr;
    private final double eps;

    private double best;
    private int numBadEpochs;
    private int cooldownCounter;
    private int lastEpoch;

    /** Attaches PyTorch's defaults: MIN, factor 0.1, patience 10, threshold 1e-4 (relative), no cooldown, minLr 0. */
    public ReduceLROnPlateau(Optimizer optimizer) {
        this(optimizer, Mode.MIN, 0.1f, 10, 1e-4f, 0, 0f);
    }

    /** Attaches the scheduler with a relative threshold and {@code eps = 1e-8}; see the full constructor. */
    public ReduceLROnPlateau(Optimizer optimizer, Mode mode, float factor, int patience, float threshold, int cooldown,
            float minLr) {
        this(optimizer, mode, factor, patience, threshold, ThresholdMode.REL, cooldown, minLr, 1e-8f);
    }

    /**
     * Attaches the scheduler to {@code optimizer} (its learning rates are not changed until a reduction).
     *
     * @param mode          whether smaller or larger metrics are better
     * @param factor        the multiplier of a reduction, in [0, 1)
     * @param patience      how many epochs without improvement are tolerated (&gt;= 0)
     * @param threshold     the least improvement that counts (&gt;= 0)
     * @param thresholdMode whether the threshold is relative or absolute
     * @param cooldown      epochs after a reduction during which bad epochs are not counted (&gt;= 0)
     * @param minLr         the lower bound of every learning rate (&gt;= 0)
     * @param eps           a reduction smaller than this is skipped (&gt;= 0)
     * @throws IllegalArgumentException naming the first bad argument
     */
    public ReduceLROnPlateau(Optimizer optimizer, Mode mode, float factor, int patience, float threshold,
            ThresholdMode thresholdMode, int cooldown, float minLr, float eps) {
        String n = "ReduceLROnPlateau: ";
        this.optimizer = Objects.requireNonNull(optimizer, n + "optimizer must not be null");
        this.mode = Objects.requireNonNull(mode, n + "mode must not be null");
        this.thresholdMode = Objects.requireNonNull(thresholdMode, n + "thresholdMode must not be null");
        if (!(factor >= 0f && factor < 1f)) {
            throw new IllegalArgumentException(n + "factor must be in [0, 1), got " + factor);
        }
        if (patience < 0) {
            throw new IllegalArgumentException(n + "patience must be >= 0, got " + patience);
        }
        if (!(threshold >= 0f)) {
            throw new IllegalArgumentException(n + "threshold must be >= 0, got " + threshold);
        }
        if (cooldown < 0) {
            throw new IllegalArgumentException(n + "cooldown must be >= 0, got " + cooldown);
        }
        if (!(minLr >= 0f)) {
            throw new IllegalArgumentException(n + "minLr must be >= 0, got " + minLr);
        }
        if (!(eps >= 0f)) {
            throw new IllegalArgumentException(n + "eps must be >= 0, got " + eps);
        }
        this.factor = factor;
        this.patience = patience;
        this.threshold = threshold;
        this.cooldown = cooldown;
        this.minLr = minLr;
        this.eps = eps;
        this.best = worst();
    }

    private double worst() {
        return mode == Mode.MIN ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
    }

    private boolean isBetter(double a) {
        if (mode == Mode.MIN) {
            return thresholdMode == ThresholdMode.REL ? a < best * (1 - threshold) : a < best - threshold;
        }
        return thresholdMode == ThresholdMode.REL ? a > best * (1 + threshold) : a > best + threshold;
    }

    /**
     * Records this epoch's {@code metric} and reduces the learning rates if it has not improved for
     * more than {@code patience} epochs; may modify the optimizer.
     */
    public void step(float metric) {
        lastEpoch++;
        if (isBetter(metric)) {
            best = metric;
            numBadEpochs = 0;
        } else {
            numBadEpochs++;
        }
        if (cooldownCounter > 0) {
            cooldownCounter--;
            numBadEpochs = 0;
        }
        if (numBadEpochs > patience) {
            reduce();
            cooldownCounter = cooldown;
            numBadEpochs = 0;
        }
    }

    private void reduce() {
        for (int i = 0; i < optimizer.paramGroups().size(); i++) {
            double old = optimizer.paramGroups().get(i).get(ParamGroup.LR);
            double lr = Math.max(old * factor, minLr);
            if (old - lr > eps) {
                optimizer.setLr(i, (float) lr);
                LOG.debug("ReduceLROnPlateau: epoch {}: reducing the learning rate of param group {} to {}", lastEpoch, i, (float) lr);
            }
        }
    }

    /** Returns the current learning rate of the first group. */
    public float lastLr() {
        return optimizer.lr();
    }

    /** Returns the current learning rates, one per group. */
    public float[] lastLrs() {
        float[] lrs = new float[optimizer.paramGroups().size()];
        for (int i = 0; i < lrs.length; i++) {
            lrs[i] = optimizer.lr(i);
        }
        return lrs;
    }

    /** Returns the best metric seen so far (infinite before the first step). */
    public double best() {
        return best;
    }

    /** Returns the number of consecutive epochs without improvement. */
    public int numBadEpochs() {
        return numBadEpochs;
    }

    /** Returns the number of {@link #step(float)} calls so far. */
    public int lastEpoch() {
        return lastEpoch;
    }

    /**
     * Returns the scheduler's progress: {@code "best"}, {@code "num_bad_epochs"}, {@code
     * "cooldown_counter"}, {@code "last_epoch"}. The learning rates themselves are saved with the
     * optimizer's state.
     */
    public Map<String, Double> stateDict() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("best", best);
        m.put("num_bad_epochs", (double) numBadEpochs);
        m.put("cooldown_counter", (double) cooldownCounter);
        m.put("last_epoch", (double) lastEpoch);
        return m;
    }

    /**
     * Restores progress saved by {@link #stateDict()}; modifies this scheduler only.
     *
     * @throws IllegalArgumentException if a key is missing or unknown
     */
    public void loadStateDict(Map<String, Double> state) {
        Objects.requireNonNull(state, "ReduceLROnPlateau: state must not be null");
        for (String key : state.keySet()) {
            if (!stateDict().containsKey(key)) {
                throw new IllegalArgumentException("ReduceLROnPlateau: unknown state key '" + key + "'");
            }
        }
        for (String key : stateDict().keySet()) {
            if (state.get(key) == null) {
                throw new IllegalArgumentException("ReduceLROnPlateau: state has no '" + key + "'");
            }
        }
        best = state.get("best");
        numBadEpochs = state.get("num_bad_epochs").intValue();
        cooldownCounter = state.get("cooldown_counter").intValue();
        lastEpoch = state.get("last_epoch").intValue();
    }
}
