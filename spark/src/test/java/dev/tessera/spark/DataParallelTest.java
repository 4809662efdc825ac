package dev.tessera.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.Generator;
import dev.tessera.Tensor;
import dev.tessera.nn.Dropout;
import dev.tessera.nn.F;
import dev.tessera.nn.Linear;
import dev.tessera.nn.Module;
import dev.tessera.nn.ReLU;
import dev.tessera.nn.Sequential;
import dev.tessera.nn.data.Batch;
import dev.tessera.nn.data.Datasets;
import dev.tessera.nn.data.TensorDataset;
import dev.tessera.nn.metrics.Metrics;
import dev.tessera.nn.optim.Adam;
import dev.tessera.nn.optim.Optimizer;
import dev.tessera.nn.optim.SGD;
import dev.tessera.nn.selection.Params;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.apache.spark.SparkContext;
import org.apache.spark.TaskContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Data-parallel training on {@code local[2]} against single-process training. */
@ExtendWith(SharedSpark.class)
class DataParallelTest {
    /** The bundled 8x8 digits, pixels scaled to [0, 1]. */
    private static final TensorDataset DIGITS = Datasets.digits().mapFeatures(x -> x.div(16f));
    private static SparkExecutor exec;

    @BeforeAll
    static void start(SparkExecutor shared) {
        exec = shared;
    }

    static Module mlp(long seed) {
        Generator g = new Generator(seed);
        return new Sequential(new Linear(64, 24, true, g), new ReLU(), new Linear(24, 10, true, g));
    }

    /** The model factory: the MLP initialised from the params' seed. */
    static Module model(Params p) {
        return mlp(p.seed());
    }

    /** A factory of an MLP with dropout (random draws that must not depend on where a replica was built). */
    static Module dropoutModel(Params p) {
        Generator g = new Generator(p.seed());
        return new Sequential(new Linear(64, 24, true, g), new ReLU(), new Dropout(0.3, new Generator(g.nextLong())),
                new Linear(24, 10, true, g));
    }

    /** Counts partition 0's loss computations; see {@link #lossLosingPartition0sExecutorAtCall}. */
    private static final AtomicInteger PARTITION_0_CALLS = new AtomicInteger();
    /** The call at which partition 0's executor is lost; 0 for never. */
    private static volatile int loseAtCall;

    /**
     * Cross-entropy, except that at partition 0's {@link #loseAtCall}-th loss computation its
     * executor is lost: the task attempt is killed, so Spark reruns it, and the replica the attempt
     * had taken goes with it, so the rerun finds none, as on a new executor.
     */
    static Tensor lossLosingPartition0sExecutorAtCall(Tensor logits, Tensor targets) {
        TaskContext tc = TaskContext.get();
        if (tc != null && tc.partitionId() == 0 && PARTITION_0_CALLS.incrementAndGet() == loseAtCall) {
            SparkContext.getOrCreate().killTaskAttempt(tc.taskAttemptId(), true, "executor lost (simulated)");
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!tc.isInterrupted() && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    break;
                }
            }
            throw new IllegalStateException("the attempt was " + (tc.isInterrupted() ? "killed" : "never killed"));
        }
        return F.crossEntropy(logits, targets);
    }

    private static TensorDataset rows(int[] indices) {
        Batch b = DIGITS.get(indices);
        return new TensorDataset(b.features(), b.targets());
    }

    private static TensorDataset first(int n) {
        return rows(IntStream.range(0, n).toArray());
    }

    /**
     * With plain SGD (or SGD with momentum, whose buffer is linear in the gradients) and one local
     * step per round, averaging two replicas is one SGD step on their union: compared after 20 steps
     * with single-process SGD on the same global batches, built here from the documented order
     * (no shuffling: partition p holds examples [32p, 32p + 32) and reads them in order, wrapping).
     */
    @ParameterizedTest(name = "momentum={0}")
    @ValueSource(floats = {0f, 0.9f})
    void oneLocalStepOfSgdEqualsSingleProcessSgdOnTheGlobalBatch(float momentum) {
        TensorDataset data = first(64);
        int rounds = 20;
        DataParallelConfig config = DataParallelConfig.builder().partitions(2).batchSize(16).localSteps(1).rounds(rounds)
                .optimizer(ps -> new SGD(ps, 0.1f, momentum)).loss(F::crossEntropy).seed(7).shuffle(false).build();
        DataParallelResult r = exec.fit(DataParallelTest::model, data, config);

        Module model = mlp(7);
        Optimizer opt = new SGD(model.parameters(), 0.1f, momentum);
        double[] losses = new double[rounds];
        for (int s = 0; s < rounds; s++) {
            int[] idx = new int[16];
            for (int i = 0; i < 8; i++) {
                idx[i] = (s * 8 + i) % 32;
                idx[8 + i] = 32 + (s * 8 + i) % 32;
            }
            Batch b = data.get(idx);
            opt.zeroGrad();
            Tensor loss = F.crossEntropy(model.forward(b.features()), b.targets());
            loss.backward();
            opt.step();
            losses[s] = loss.item();
        }
        Map<String, Tensor> expected = model.stateDict();
        Map<String, Tensor> actual = r.model().stateDict();
        assertEquals(expected.keySet(), actual.keySet());
        for (String k : expected.keySet()) {
            float[] e = expected.get(k).toFloatArray();
            float[] a = actual.get(k).toFloatArray();
            for (int i = 0; i < e.length; i++) {
                assertEquals(e[i], a[i], 1e-5f + 1e-4f * Math.abs(e[i]), k + "[" + i + "]");
            }
        }
        // The replicas' mean loss is the loss of the global batch before the step (equal halves).
        assertArrayEquals(losses, r.losses(), 1e-5);
        assertEquals(rounds, r.roundSeconds().length);
        assertTrue(losses[rounds - 1] < losses[0], Arrays.toString(losses));
    }

    /** Local SGD: 4 local steps per round between averages still learns the digits (held-out accuracy above 0.85). */
    @Test
    void localSgdWithFourLocalStepsConverges() {
        int[] perm = IntStream.range(0, DIGITS.size()).toArray();
        TensorDataset train = rows(Arrays.copyOfRange(perm, 0, 1400));
        Batch test = DIGITS.get(Arrays.copyOfRange(perm, 1400, DIGITS.size()));
        DataParallelConfig config = DataParallelConfig.builder().partitions(2).batchSize(64).localSteps(4).rounds(30)
                .optimizer(ps -> new SGD(ps, 0.2f, 0.5f)).seed(3).build();
        DataParallelResult r = exec.fit(DataParallelTest::model, train, config);
        double accuracy;
        try (var ng = Tensor.noGrad()) {
            r.model().eval();
            accuracy = Metrics.accuracy(r.model().forward(test.features()), test.targets());
        }
        assertTrue(accuracy > 0.85, "held-out accuracy " + accuracy + ", losses " + Arrays.toString(r.losses()));
        assertTrue(r.losses()[29] < r.losses()[0] / 3, Arrays.toString(r.losses()));
    }

    /**
     * A run stopped after 3 rounds and resumed from its checkpoint ends with exactly the weights of
     * an uninterrupted run (Adam's moments and step counts travel through the checkpoint too).
     */
    @Test
    void aResumedRunEndsWhereAnUninterruptedOneDoes(@TempDir Path dir) {
        TensorDataset data = first(200);
        DataParallelConfig.Builder b = DataParallelConfig.builder().partitions(2).batchSize(32).localSteps(2)
                .optimizer(ps -> new Adam(ps, 0.01f)).seed(5);
        DataParallelResult straight = exec.fit(DataParallelTest::model, data, b.rounds(6).build());
        DataParallelResult stopped = exec.fit(DataParallelTest::model, data, b.rounds(3).checkpointDir(dir).build());
        assertEquals(0, stopped.startRound());
        DataParallelResult resumed = exec.fit(DataParallelTest::model, data, b.rounds(6).checkpointDir(dir).build());
        assertEquals(3, resumed.startRound());
        assertEquals(3, resumed.roundSeconds().length);
        assertArrayEquals(straight.losses(), resumed.losses());
        Map<String, Tensor> a = straight.model().stateDict();
        Map<String, Tensor> c = resumed.model().stateDict();
        for (String k : a.keySet()) {
            assertArrayEquals(a.get(k).toFloatArray(), c.get(k).toFloatArray(), k);
        }
        assertEquals(straight.optimizer().stateDict().scalars(), resumed.optimizer().stateDict().scalars());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                exec.fit(DataParallelTest::model, data, b.partitions(4).rounds(6).checkpointDir(dir).build()));
        assertTrue(e.getMessage().contains("partitions=2") && e.getMessage().contains("partitions=4"), e.getMessage());
    }

    /**
     * Each partition's replica is built once, on its first task, and kept for the later rounds (only
     * the state travels); the fit releases the replicas when it ends.
     */
    @Test
    void replicasAreBuiltOnceAndReleasedWhenTheFitEnds() {
        long before = ReplicaCache.builds();
        DataParallelConfig config = DataParallelConfig.builder().partitions(2).batchSize(32).localSteps(2).rounds(5)
                .optimizer(ps -> new Adam(ps, 0.01f)).seed(4).build();
        DataParallelResult r = exec.fit(DataParallelTest::dropoutModel, first(200), config);
        assertEquals(5, r.rounds());
        assertEquals(2, ReplicaCache.builds() - before, "one build per partition, not per round");
        assertEquals(0, ReplicaCache.size(), "the replicas are released when the fit ends");
    }

    /**
     * A task rerun after its executor was lost (its kept replica gone, the attempt killed) rebuilds
     * the replica from the broadcast state and the run ends with exactly the weights and losses of
     * an undisturbed run, dropout masks included.
     */
    @Test
    void aTaskRerunOnAFreshExecutorRebuildsItsReplicaWithTheSameResult() {
        TensorDataset data = first(200);
        DataParallelConfig.Builder b = DataParallelConfig.builder().partitions(2).batchSize(32).localSteps(2).rounds(5)
                .optimizer(ps -> new Adam(ps, 0.01f)).seed(6);
        DataParallelResult undisturbed = exec.fit(DataParallelTest::dropoutModel, data, b.build());
        PARTITION_0_CALLS.set(0);
        loseAtCall = 5; // round 2's first step (2 local steps per round)
        long before = ReplicaCache.builds();
        DataParallelResult disturbed;
        try {
            disturbed = exec.fit(DataParallelTest::dropoutModel, data,
                    b.loss(DataParallelTest::lossLosingPartition0sExecutorAtCall).build());
        } finally {
            loseAtCall = 0;
        }
        assertTrue(PARTITION_0_CALLS.get() > 5, "partition 0 went on after the lost attempt");
        assertEquals(3, ReplicaCache.builds() - before, "two replicas, and partition 0's again after the loss");
        assertArrayEquals(undisturbed.losses(), disturbed.losses());
        Map<String, Tensor> a = undisturbed.model().stateDict();
        Map<String, Tensor> c = disturbed.model().stateDict();
        for (String k : a.keySet()) {
            assertArrayEquals(a.get(k).toFloatArray(), c.get(k).toFloatArray(), k);
        }
        assertEquals(0, ReplicaCache.size());
    }

    /** Counts partition 1's loss computations; see {@link #lossFailingInPartition1AtCall3}. */
    private static final AtomicInteger PARTITION_1_CALLS = new AtomicInteger();

    /** Cross-entropy, except that partition 1's third computation (round 2 with one local step) throws. */
    static Tensor lossFailingInPartition1AtCall3(Tensor logits, Tensor targets) {
        TaskContext tc = TaskContext.get();
        if (tc != null && tc.partitionId() == 1 && PARTITION_1_CALLS.incrementAndGet() == 3) {
            throw new IllegalStateException("loss exploded in partition 1");
        }
        return F.crossEntropy(logits, targets);
    }

    /** A fit whose task fails reports the task's exception and releases the replicas kept so far. */
    @Test
    void aFailingFitReleasesItsReplicas() {
        PARTITION_1_CALLS.set(0);
        DataParallelConfig config = DataParallelConfig.builder().partitions(2).batchSize(32).localSteps(1).rounds(6)
                .loss(DataParallelTest::lossFailingInPartition1AtCall3).seed(2).build();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> exec.fit(DataParallelTest::model, first(200), config));
        assertEquals("loss exploded in partition 1", e.getMessage());
        assertEquals(3, PARTITION_1_CALLS.get(), "no round after the failing one");
        assertEquals(0, ReplicaCache.size());
    }

    @Test
    void configurationErrorsNameTheValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DataParallelConfig.builder().partitions(3).batchSize(64).build());
        assertTrue(e.getMessage().contains("64") && e.getMessage().contains("3 partitions"), e.getMessage());
        IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
                () -> exec.fit(DataParallelTest::model, first(10), DataParallelConfig.builder().batchSize(16).build()));
        assertTrue(small.getMessage().contains("10 examples"), small.getMessage());
    }
}
