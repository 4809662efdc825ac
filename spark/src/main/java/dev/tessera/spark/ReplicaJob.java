package dev.tessera.spark;

import dev.tessera.KernelThreads;
import dev.tessera.Tensor;
import dev.tessera.nn.Module;
import dev.tessera.nn.Stochastic;
import dev.tessera.nn.data.Batch;
import dev.tessera.nn.data.TensorDataset;
import dev.tessera.nn.optim.Optimizer;
import dev.tessera.nn.selection.ModelFactory;
import java.io.Serializable;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.TaskContext;
import org.apache.spark.broadcast.Broadcast;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor side of data-parallel training: {@link #train} trains partition {@code p}'s replica
 * for the configured local steps from the state the driver broadcast and returns its new state as
 * safetensors bytes. The model factory, optimizer factory and loss ship as serialized lambdas; the
 * data as a broadcast of safetensors bytes unpacked once per executor.
 *
 * <p>The replica (model, optimizer, shard) is built on a partition's first task on an executor and
 * kept there ({@link ReplicaCache}); later rounds only load the broadcast state into it. Every
 * round starts from the same point whether the replica was kept or built anew (a retried task, a
 * task on another executor): the parameters, buffers and optimizer state are the broadcast ones,
 * and each {@link Stochastic} module's generator (dropout masks) is set from the seed, the
 * partition, the round and the module's name. So results do not depend on where tasks ran.
 */
final class ReplicaJob implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaJob.class);

    private final ModelFactory modelFactory;
    private final DataParallelConfig.Shipped config;
    private final int examples;
    private final String fitId;
    private final String dataKey;
    private final Broadcast<byte[]> data;

    /**
     * Creates the executor side of fit {@code fitId} (which names its replicas) on the {@code
     * examples} examples packed in {@code data} (kept under {@code dataKey}).
     */
    ReplicaJob(ModelFactory modelFactory, DataParallelConfig.Shipped config, int examples, String fitId, String dataKey,
               Broadcast<byte[]> data) {
        this.modelFactory = modelFactory;
        this.config = config;
        this.examples = examples;
        this.fitId = fitId;
        this.dataKey = dataKey;
        this.data = data;
    }

    /**
     * Trains the replica of partition {@code p} in round {@code round} from the state in {@code
     * state} (not modified), its kernels limited to the task's CPUs ({@link TaskCpus}), and returns
     * its state after {@code localSteps} steps, with its mean loss.
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
        ReplicaState start = ReplicaState.decode(state.value());
        ReplicaCache.Replica r = ReplicaCache.take(fitId, p);
        boolean built = r == null;
        if (built) {
            r = build(p, round);
        }
        r.model().loadStateDict(start.model());
        r.model().train();
        r.optimizer().loadStateDict(start.optimizer());
        reseed(r.model(), p, round);
        long t2 = System.nanoTime();
        TaskContext tc = TaskContext.get();
        double lossSum = 0;
        for (int t = 0; t < config.localSteps(); t++) {
            if (tc != null) {
                tc.killTaskIfInterrupted(); // a killed attempt stops at the next step
            }
            long step = (long) round * config.localSteps() + t;
            Batch b = d.get(ShardSchedule.batch(r.shard(), p, step, config.localBatch(), config.shuffle(), config.seed()));
            r.optimizer().zeroGrad(false); // the replica's gradients reuse their buffers step after step
            Tensor loss = config.loss().compute(r.model().forward(b.features()), b.targets());
            loss.backward();
            r.optimizer().step();
            lossSum += loss.item();
        }
        long t3 = System.nanoTime();
        byte[] out = new ReplicaState(r.model().stateDict(), r.optimizer().stateDict(), 1, lossSum / config.localSteps())
                .encode();
        ReplicaCache.put(fitId, p, r);
        if (LOG.isDebugEnabled()) {
            LOG.debug("round {} partition {}: data {} ms, {} replica and state {} ms, {} steps {} ms, encoding {} ms",
                    round, p, ms(t1 - t0), built ? "built" : "kept", ms(t2 - t1), config.localSteps(), ms(t3 - t2),
                    ms(System.nanoTime() - t3));
        }
        return out;
    }

    /** Builds partition {@code p}'s replica: the model, its optimizer and the partition's shard. */
    private ReplicaCache.Replica build(int p, int round) {
        Module model = modelFactory.create(config.params().withSeed(ShardSchedule.mix(config.seed(), p, round)));
        if (model == null) {
            throw new IllegalArgumentException("data-parallel: the model factory returned null");
        }
        Optimizer opt = config.optimizer().apply(model.parameters());
        if (opt == null) {
            throw new IllegalArgumentException("data-parallel: the optimizer factory returned null");
        }
        ReplicaCache.countBuild();
        int[] shard = ShardSchedule.shard(examples, config.partitions(), p, config.shuffle(), config.seed());
        return new ReplicaCache.Replica(model, opt, shard);
    }

    /**
     * Sets the generator of every {@link Stochastic} module of {@code model} to a state drawn from
     * the seed, partition {@code p}, round {@code round} and the module's name: dropout draws its own
     * masks per partition and round, the same whether the replica was kept or built.
     */
    static void reseed(Module model, long seed, int p, int round) {
        for (Map.Entry<String, Module> e : model.namedModules().entrySet()) {
            if (e.getValue() instanceof Stochastic s && s.generator() != null) {
                s.generator().setState(ShardSchedule.mix(seed ^ (0x9E3779B97F4A7C15L * e.getKey().hashCode()), p, round));
            }
        }
    }

    private void reseed(Module model, int p, int round) {
        reseed(model, config.seed(), p, round);
    }

    private static String ms(long nanos) {
        return String.format(Locale.ROOT, "%.1f", nanos / 1e6);
    }
}
