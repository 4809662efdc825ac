package dev.tessera.nn;

import dev.tessera.Generator;
import dev.tessera.Tensor;

/**
 * Stochastic depth (Huang et al. 2016), like torchvision's {@code ops.StochasticDepth(p, mode)}:
 * applied to a residual branch, it drops the whole branch with probability {@code p} and scales a
 * kept one by {@code 1 / (1 - p)}. In {@link Mode#ROW} mode each sample of the batch (first
 * dimension) is dropped on its own; in {@link Mode#BATCH} mode the whole batch at once. In eval
 * mode (or with {@code p = 0}) it returns its input. See {@link F#stochasticDepth}.
 *
 * <p>The draws come from this module's {@link Generator}, synchronised on it, as {@link Dropout}'s.
 */
public class StochasticDepth extends Module implements Stochastic {
    /** Whether samples are dropped one by one or the whole batch together. */
    public enum Mode {
        /** One draw per sample (torchvision's {@code "row"}). */
        ROW,
        /** One draw for the whole batch (torchvision's {@code "batch"}). */
        BATCH
    }

    private final float p;
    private final Mode mode;
    private final Generator generator;

    /** Creates the layer with drop probability {@code p} in {@link Mode#ROW} mode, its generator seeded from {@link Random}. */
    public StochasticDepth(double p) {
        this(p, Mode.ROW, Random.newGenerator());
    }

    /** Creates the layer with drop probability {@code p} in the given mode, its generator seeded from {@link Random}. */
    public StochasticDepth(double p, Mode mode) {
        this(p, mode, Random.newGenerator());
    }

    /**
     * Creates the layer with drop probability {@code p} in the given mode, drawing from {@code
     * generator} (advanced on every training-mode call with {@code 0 < p < 1}).
     *
     * @throws IllegalArgumentException if {@code p} is not in {@code [0, 1]} or the mode or generator is null
     */
    public StochasticDepth(double p, Mode mode, Generator generator) {
        if (!(p >= 0 && p <= 1) || mode == null || generator == null) {
            throw new IllegalArgumentException("StochasticDepth: needs p in [0, 1], a mode and a generator, got p=" + p
                    + ", mode=" + mode + ", generator=" + generator);
        }
        this.p = (float) p;
        this.mode = mode;
        this.generator = generator;
    }

    @Override
    public Generator generator() {
        return generator;
    }

    /** Returns the drop probability. */
    public double p() {
        return p;
    }

    /** Returns the mode. */
    public Mode mode() {
        return mode;
    }

    /**
     * Returns {@code input} times a per-sample (or per-batch) keep mask over {@code 1 - p} in
     * training mode (a new tensor), else {@code input} itself.
     */
    @Override
    public Tensor forward(Tensor input) {
        if (!isTraining() || p == 0f) {
            return input;
        }
        synchronized (generator) {
            return F.stochasticDepth(input, p, mode, true, generator);
        }
    }

    /** PyTorch's text: {@code p=0.2, mode=row}. */
    @Override
    protected String extraRepr() {
        return "p=" + p + ", mode=" + mode.name().toLowerCase(java.util.Locale.ROOT);
    }
}
