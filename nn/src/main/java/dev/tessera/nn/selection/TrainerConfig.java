package dev.tessera.nn.selection;

import dev.tessera.nn.F;
import dev.tessera.nn.Module;
import dev.tessera.nn.metrics.Metric;
import dev.tessera.nn.optim.Adam;
import dev.tessera.nn.optim.Optimizer;
import dev.tessera.nn.train.LossFunction;
import dev.tessera.nn.train.Trainer;
import java.io.Serializable;
import java.util.List;

/**
 * How to train one model in cross-validation: epochs, batch size, a fresh optimizer per model,
 * the loss, the seed of the data order and whether to show progress. {@link #newTrainer} builds a
 * {@link Trainer} from it for each fold.
 *
 * <pre>{@code
 * TrainerConfig config = TrainerConfig.builder().epochs(30).batchSize(16)
 *         .optimizer(ps -> new Adam(ps, 1e-2f)).loss(F::crossEntropy).seed(7).build();
 * }</pre>
 *
 * @param epochs    training epochs per fold, at least 1
 * @param batchSize examples per training batch, at least 1
 * @param optimizer builds the optimizer of a model from its parameters (called once per model)
 * @param loss      the training loss, also reported on the test folds as {@code "loss"}
 * @param seed      the seed from which every fold's shuffling seed and {@link Params#seed()} derive
 * @param progress  whether each fold's trainer shows a progress bar (off by default)
 *
 * <p>Serializable (its optimizer factory and loss are serializable interfaces), so that a
 * configuration can be shipped to the machines that train models elsewhere.
 */
public record TrainerConfig(int epochs, int batchSize, OptimizerFactory optimizer, LossFunction loss,
                            long seed, boolean progress) implements Serializable {

    private static final long serialVersionUID = 1L;

    /**
     * Validates the configuration.
     *
     * @throws IllegalArgumentException if a count is below 1 or the optimizer or loss is null
     */
    public TrainerConfig {
        if (epochs < 1) {
            throw new IllegalArgumentException("TrainerConfig: epochs must be at least 1, got " + epochs);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("TrainerConfig: batchSize must be at least 1, got " + batchSize);
        }
        if (optimizer == null || loss == null) {
            throw new IllegalArgumentException("TrainerConfig: the optimizer factory and the loss are required, got optimizer="
                    + optimizer + ", loss=" + loss);
        }
    }

    /** Returns a builder with the defaults: 10 epochs, batch 32, Adam with lr 1e-3, cross-entropy, seed 0, no progress. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns the defaults of {@link #builder()}. */
    public static TrainerConfig defaults() {
        return builder().build();
    }

    /** Returns a copy training for {@code newEpochs} epochs. */
    public TrainerConfig withEpochs(int newEpochs) {
        return new TrainerConfig(newEpochs, batchSize, optimizer, loss, seed, progress);
    }

    /** Returns a copy with the seed {@code newSeed}. */
    public TrainerConfig withSeed(long newSeed) {
        return new TrainerConfig(epochs, batchSize, optimizer, loss, newSeed, progress);
    }

    /**
     * Returns a new trainer for {@code model} with a new optimizer over its parameters and the given
     * metrics (instances of its own: a trainer updates them); nothing is modified.
     *
     * @throws IllegalArgumentException if the optimizer factory returns null
     */
    public Trainer newTrainer(Module model, List<Metric> metrics) {
        Optimizer opt = optimizer.apply(model.parameters());
        if (opt == null) {
            throw new IllegalArgumentException("TrainerConfig: the optimizer factory returned null");
        }
        return Trainer.builder(model, opt, loss).epochs(epochs).metrics(metrics.toArray(new Metric[0]))
                .progress(progress).build();
    }

    /** Builds a {@link TrainerConfig}; every setter returns this builder. */
    public static final class Builder {
        private int epochs = 10;
        private int batchSize = 32;
        private OptimizerFactory optimizer = ps -> new Adam(ps, 1e-3f);
        private LossFunction loss = F::crossEntropy;
        private long seed;
        private boolean progress;

        private Builder() {
        }

        /** Sets the epochs per fold (default 10). */
        public Builder epochs(int value) {
            this.epochs = value;
            return this;
        }

        /** Sets the training batch size (default 32). */
        public Builder batchSize(int value) {
            this.batchSize = value;
            return this;
        }

        /** Sets the optimizer factory, e.g. {@code ps -> new AdamW(ps, 1e-3f, 1e-2f)} (default Adam, lr 1e-3). */
        public Builder optimizer(OptimizerFactory value) {
            this.optimizer = value;
            return this;
        }

        /** Sets the loss (default {@link F#crossEntropy}). */
        public Builder loss(LossFunction value) {
            this.loss = value;
            return this;
        }

        /** Sets the seed (default 0). */
        public Builder seed(long value) {
            this.seed = value;
            return this;
        }

        /** Turns each fold's progress bar on or off (default off). */
        public Builder progress(boolean value) {
            this.progress = value;
            return this;
        }

        /**
         * Returns the configuration.
         *
         * @throws IllegalArgumentException if a value is out of range
         */
        public TrainerConfig build() {
            return new TrainerConfig(epochs, batchSize, optimizer, loss, seed, progress);
        }
    }
}
