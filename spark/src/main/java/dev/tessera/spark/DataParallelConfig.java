package dev.tessera.spark;

import dev.tessera.nn.F;
import dev.tessera.nn.optim.SGD;
import dev.tessera.nn.selection.OptimizerFactory;
import dev.tessera.nn.selection.Params;
import dev.tessera.nn.train.LossFunction;
import java.nio.file.Path;
import java.util.Locale;

/**
 * How {@link SparkExecutor#fit} trains a model data-parallel. The training data is cut into
 * {@code partitions} shards; every round, each partition's task loads the parameters (and
 * optimizer state) the driver broadcast into its replica of the model (built on the partition's
 * first task on an executor and kept there between rounds), trains it for {@code localSteps}
 * steps on batches of {@code batchSize / partitions} examples from its shard, and the driver
 * averages the replicas' parameters, buffers and optimizer state ({@code mapPartitions} then
 * {@code treeReduce}). With plain SGD and one local step this is single-process SGD on the global
 * batch of {@code batchSize} examples; with more local steps it is local SGD (fewer, larger
 * communication rounds).
 *
 * <p>Batches: with {@code shuffle}, the examples are dealt to the shards in an order drawn from the
 * seed, and each shard is reshuffled (from the seed, the partition and the pass) every time it has
 * been used up; without it, partition {@code p} holds the contiguous examples {@code [p*n/P,
 * (p+1)*n/P)} and reads them in order, wrapping around. Step {@code s} (counted over all rounds:
 * round {@code r}'s local step {@code t} is {@code s = r * localSteps + t}) of partition {@code p}
 * uses the shard's next {@code batchSize / partitions} examples of that stream, positions {@code
 * [s*b, (s+1)*b)}.
 *
 * @param partitions    replicas trained in parallel, one Spark task each per round (at least 1)
 * @param batchSize     the global batch of one step, split evenly over the partitions (a multiple of {@code partitions})
 * @param localSteps    optimizer steps each replica takes per round (at least 1)
 * @param rounds        rounds in all, including those a resumed run already did (at least 1)
 * @param optimizer     builds the replicas' optimizer from the model's parameters
 * @param loss          the training loss
 * @param params        the hyperparameters passed to the model factory (with the seed set from {@code seed})
 * @param seed          the seed of the model's initialisation, of the shuffling and of the replicas' random
 *                      draws (each {@link dev.tessera.nn.Stochastic} module, dropout say, gets a generator
 *                      state of its own per partition and round)
 * @param shuffle       whether examples are shuffled (see above)
 * @param checkpointDir where the state is saved after every round and resumed from, or null for no checkpoints
 */
public record DataParallelConfig(int partitions, int batchSize, int localSteps, int rounds, OptimizerFactory optimizer,
                                 LossFunction loss, Params params, long seed, boolean shuffle, Path checkpointDir) {

    /**
     * Validates the configuration.
     *
     * @throws IllegalArgumentException if a count is below 1, the batch is not a multiple of the partitions,
     *                                  or the optimizer, loss or params is null
     */
    public DataParallelConfig {
        if (partitions < 1 || batchSize < 1 || localSteps < 1 || rounds < 1) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "DataParallelConfig: partitions, batchSize,"
                    + " localSteps and rounds must be at least 1, got %d, %d, %d, %d", partitions, batchSize, localSteps,
                    rounds));
        }
        if (batchSize % partitions != 0) {
            throw new IllegalArgumentException("DataParallelConfig: batchSize " + batchSize + " is not a multiple of the "
                    + partitions + " partitions (every replica takes batchSize / partitions examples per step)");
        }
        if (optimizer == null || loss == null || params == null) {
            throw new IllegalArgumentException("DataParallelConfig: the optimizer factory, the loss and the params are"
                    + " required, got optimizer=" + optimizer + ", loss=" + loss + ", params=" + params);
        }
    }

    /**
     * Returns a builder with the defaults: 2 partitions, global batch 64, 1 local step, 100 rounds,
     * SGD with lr 0.01 and no momentum, cross-entropy, no params, seed 0, shuffled, no checkpoints.
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns the examples each replica takes per step. */
    public int localBatch() {
        return batchSize / partitions;
    }

    /** Returns the settings a checkpoint must have been written with to be resumed by this configuration. */
    String fingerprint(int examples) {
        return String.format(Locale.ROOT, "partitions=%d, batchSize=%d, localSteps=%d, seed=%d, shuffle=%b, examples=%d",
                partitions, batchSize, localSteps, seed, shuffle, examples);
    }

    /** Returns the part of this configuration the executors need (everything but the checkpoint directory). */
    Shipped shipped() {
        return new Shipped(partitions, localBatch(), localSteps, optimizer, loss, params, seed, shuffle);
    }

    /**
     * What the executors need of a {@link DataParallelConfig}, shipped with Java serialization
     * (numbers and the user's serializable lambdas).
     *
     * @param partitions the number of replicas
     * @param localBatch the examples per replica and step
     * @param localSteps the steps per round
     * @param optimizer  the optimizer factory
     * @param loss       the loss
     * @param params     the model factory's hyperparameters
     * @param seed       the seed
     * @param shuffle    whether examples are shuffled
     */
    record Shipped(int partitions, int localBatch, int localSteps, OptimizerFactory optimizer, LossFunction loss,
                   Params params, long seed, boolean shuffle) implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
    }

    /** Builds a {@link DataParallelConfig}; every setter returns this builder. */
    public static final class Builder {
        private int partitions = 2;
        private int batchSize = 64;
        private int localSteps = 1;
        private int rounds = 100;
        private OptimizerFactory optimizer = ps -> new SGD(ps, 0.01f, 0f);
        private LossFunction loss = F::crossEntropy;
        private Params params = Params.empty();
        private long seed;
        private boolean shuffle = true;
        private Path checkpointDir;

        private Builder() {
        }

        /** Sets the number of replicas, one Spark task each per round (default 2). */
        public Builder partitions(int value) {
            this.partitions = value;
            return this;
        }

        /** Sets the global batch of one step, split evenly over the partitions (default 64). */
        public Builder batchSize(int value) {
            this.batchSize = value;
            return this;
        }

        /** Sets the optimizer steps each replica takes per round (default 1). */
        public Builder localSteps(int value) {
            this.localSteps = value;
            return this;
        }

        /** Sets the rounds in all (default 100). */
        public Builder rounds(int value) {
            this.rounds = value;
            return this;
        }

        /** Sets the optimizer factory, e.g. {@code ps -> new Adam(ps, 1e-3f)} (default SGD, lr 0.01). */
        public Builder optimizer(OptimizerFactory value) {
            this.optimizer = value;
            return this;
        }

        /** Sets the loss (default {@link F#crossEntropy}). */
        public Builder loss(LossFunction value) {
            this.loss = value;
            return this;
        }

        /** Sets the hyperparameters passed to the model factory (default none). */
        public Builder params(Params value) {
            this.params = value;
            return this;
        }

        /** Sets the seed (default 0). */
        public Builder seed(long value) {
            this.seed = value;
            return this;
        }

        /** Turns shuffling on or off (default on). */
        public Builder shuffle(boolean value) {
            this.shuffle = value;
            return this;
        }

        /** Sets the checkpoint directory (created if needed), or null for none (the default). */
        public Builder checkpointDir(Path value) {
            this.checkpointDir = value;
            return this;
        }

        /**
         * Returns the configuration.
         *
         * @throws IllegalArgumentException if a value is out of range
         */
        public DataParallelConfig build() {
            return new DataParallelConfig(partitions, batchSize, localSteps, rounds, optimizer, loss, params, seed, shuffle,
                    checkpointDir);
        }
    }
}
