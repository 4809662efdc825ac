package dev.tessera.spark;

import dev.tessera.KernelThreads;
import dev.tessera.Tensor;
import dev.tessera.nn.Module;
import dev.tessera.nn.data.Batch;
import dev.tessera.nn.data.TensorDataset;
import dev.tessera.nn.optim.Optimizer;
import dev.tessera.nn.selection.ModelFactory;
import java.io.Serializable;
import org.apache.spark.broadcast.Broadcast;

/**
 * The executor side of data-parallel training: {@link #train} builds one replica from the
 * broadcast state, trains it for the configured local steps on its shard and returns its new
 * state as safetensors bytes. The model factory, optimizer factory and loss ship as serialized
 * lambdas; the data as a broadcast of safetensors bytes unpacked once per executor.
 */
final class ReplicaJob implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ReplicaJob.class);

    private final ModelFactory modelFactory;
    private final DataParallelConfig.Shipped config;
    private final int examples;
    private final String dataKey;
    private final Broadcast<byte[]> data;

    ReplicaJob(ModelFactory modelFactory, DataParallelConfig.Shipped config, int examples, String dataKey,
               Broadcast<byte[]> data) {
        this.modelFactory = modelFactory;
        this.config = config;
        this.examples = examples;
        this.dataKey = dataKey;
        this.data = data;
    }

    /**
     * Trains the replica of partition {@code p} in round {@code round} from the state in {@code
     * state} (not modified) and returns its state after {@code localSteps} steps, with its mean loss.
     */
    byte[] train(int p, int round, Broadcast<byte[]> state) {
        try (KernelThreads k = KernelThreads.limit(TaskCpus.current())) {
            return trainLimited(p, round, state);
        }
    }

    private byte[] trainLimited(int p, int round, Broadcast<byte[]> state) {
        long t0 = System.nanoTime();
        TensorDataset d = SharedData.of(dataKey, data).data();
        long t1 = System.nanoTime();
        int[] shard = ShardSchedule.shard(examples, config.partitions(), p, config.shuffle(), config.seed());
        ReplicaState start = ReplicaState.decode(state.value());
        // Dropout and other stochastic layers get a seed of their own per partition and round.
        Module model = modelFactory.create(config.params().withSeed(ShardSchedule.mix(config.seed(), p, round)));
        model.loadStateDict(start.model());
        model.train();
        Optimizer opt = config.optimizer().apply(model.parameters());
        if (opt == null) {
            throw new IllegalArgumentException("data-parallel: the optimizer factory returned null");
        }
        opt.loadStateDict(start.optimizer());
        long t2 = System.nanoTime();
        double lossSum = 0;
        for (int t = 0; t < config.localSteps(); t++) {
            long step = (long) round * config.localSteps() + t;
            Batch b = d.get(ShardSchedule.batch(shard, p, step, config.localBatch(), config.shuffle(), config.seed()));
            opt.zeroGrad();
            Tensor loss = config.loss().compute(model.forward(b.features()), b.targets());
            loss.backward();
            opt.step();
            lossSum += loss.item();
        }
        long t3 = System.nanoTime();
        byte[] out = new ReplicaState(model.stateDict(), opt.stateDict(), 1, lossSum / config.localSteps()).encode();
        LOG.debug("round {} partition {}: data {} ms, replica from the broadcast state {} ms, {} steps {} ms, encoding {} ms",
                round, p, ms(t1 - t0), ms(t2 - t1), config.localSteps(), ms(t3 - t2), ms(System.nanoTime() - t3));
        return out;
    }

    private static String ms(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.1f", nanos / 1e6);
    }
}
