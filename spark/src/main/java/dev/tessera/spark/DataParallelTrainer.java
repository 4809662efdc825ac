package dev.tessera.spark;

import dev.tessera.nn.Module;
import dev.tessera.nn.data.Dataset;
import dev.tessera.nn.optim.Optimizer;
import dev.tessera.nn.selection.ModelFactory;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver side of data-parallel training (see {@link DataParallelConfig}): broadcasts the data
 * once, then per round broadcasts the state, runs one task per partition ({@code
 * mapPartitionsWithIndex}) on the replicas the executors keep between rounds ({@link ReplicaJob}),
 * sums the replicas' states with {@code treeReduce}, averages, and checkpoints. The executors'
 * replicas are released when the fit ends or fails.
 */
final class DataParallelTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(DataParallelTrainer.class);

    private DataParallelTrainer() {
    }

    /** Trains as {@link SparkExecutor#fit} says. */
    static DataParallelResult fit(JavaSparkContext jsc, ModelFactory factory, Dataset data, DataParallelConfig config) {
        if (factory == null || data == null || config == null) {
            throw new IllegalArgumentException("SparkExecutor.fit: the model factory, dataset and configuration are required");
        }
        int n = data.size();
        if (n < config.batchSize()) {
            throw new IllegalArgumentException("SparkExecutor.fit: the dataset has " + n + " examples, fewer than the"
                    + " global batch of " + config.batchSize());
        }
        Module model = factory.create(config.params().withSeed(config.seed()));
        Optimizer opt = config.optimizer().apply(model.parameters());
        if (opt == null) {
            throw new IllegalArgumentException("SparkExecutor.fit: the optimizer factory returned null");
        }
        ReplicaState state = new ReplicaState(model.stateDict(), opt.stateDict(), 1, 0);
        String fingerprint = config.fingerprint(n);
        List<Double> losses = new ArrayList<>();
        int start = 0;
        if (config.checkpointDir() != null) {
            DataParallelCheckpoint c = DataParallelCheckpoint.load(config.checkpointDir());
            if (c != null) {
                if (!c.fingerprint().equals(fingerprint)) {
                    throw new IllegalArgumentException("SparkExecutor.fit: the checkpoint in " + config.checkpointDir()
                            + " was written by a run with " + c.fingerprint() + "; this run has " + fingerprint
                            + " (remove it or use another directory)");
                }
                state = c.state();
                start = Math.min(c.rounds(), config.rounds());
                losses.addAll(c.losses().subList(0, start));
                LOG.info("data-parallel: resuming after round {} from {}", start, config.checkpointDir());
            }
        }
        DataParallelConfig.Shipped shipped = config.shipped();
        SparkFailures.checkSerializable("the model factory", factory);
        SparkFailures.checkSerializable("the optimizer factory, loss or params", shipped);
        Broadcast<byte[]> shared = jsc.broadcast(SharedData.pack(data, List.of()));
        String fitId = "fit-" + UUID.randomUUID();
        String key = "data-" + fitId;
        ReplicaJob job = new ReplicaJob(factory, shipped, n, fitId, key, shared);
        JavaRDD<Integer> slots = jsc.parallelize(IntStream.range(0, config.partitions()).boxed().toList(), config.partitions());
        double[] seconds = new double[config.rounds() - start];
        try {
            for (int round = start; round < config.rounds(); round++) {
                long t0 = System.nanoTime();
                Broadcast<byte[]> current = jsc.broadcast(state.encode());
                long tb = System.nanoTime();
                int r = round;
                jsc.setJobDescription(String.format(Locale.ROOT, "tessera data-parallel round %d/%d", round + 1,
                        config.rounds()));
                byte[] sum = SparkFailures.run("data-parallel round " + (round + 1), () -> slots
                        .mapPartitionsWithIndex((Integer p, Iterator<Integer> ignored) ->
                                List.of(job.train(p, r, current)).iterator(), true)
                        .treeReduce(ReplicaState::sum));
                long t1 = System.nanoTime();
                current.destroy();
                ReplicaState mean = ReplicaState.decode(sum).average(state.optimizer());
                state = mean;
                losses.add(mean.loss());
                long t2 = System.nanoTime();
                if (config.checkpointDir() != null) {
                    new DataParallelCheckpoint(state, round + 1, losses, fingerprint).save(config.checkpointDir());
                }
                long t3 = System.nanoTime();
                seconds[round - start] = (t3 - t0) / 1e9;
                if (LOG.isDebugEnabled()) {
                    LOG.debug(String.format(Locale.ROOT, "data-parallel round %d/%d: loss %.5f, %.1f ms: state encoded and"
                            + " broadcast %.1f ms, Spark job %.1f ms, averaged %.1f ms, checkpoint %.1f ms", round + 1,
                            config.rounds(), mean.loss(), (t3 - t0) / 1e6, (tb - t0) / 1e6, (t1 - tb) / 1e6,
                            (t2 - t1) / 1e6, (t3 - t2) / 1e6));
                }
            }
        } finally {
            jsc.setJobDescription(null);
            shared.destroy();
            ExecutorCache.remove(key);
            ReplicaCache.release(fitId);
        }
        model.loadStateDict(state.model());
        model.train();
        opt.loadStateDict(state.optimizer());
        return new DataParallelResult(model, opt, losses.stream().mapToDouble(Double::doubleValue).toArray(), seconds, start);
    }
}
