package dev.tessera.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.Generator;
import dev.tessera.Tensor;
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
import java.util.stream.IntStream;
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
