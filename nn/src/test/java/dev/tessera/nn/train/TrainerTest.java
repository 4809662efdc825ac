package dev.tessera.nn.train;

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
import dev.tessera.nn.data.DataLoader;
import dev.tessera.nn.data.Dataset;
import dev.tessera.nn.data.Datasets;
import dev.tessera.nn.data.StandardScaler;
import dev.tessera.nn.data.TensorDataset;
import dev.tessera.nn.metrics.Metric;
import dev.tessera.nn.optim.Adam;
import dev.tessera.nn.optim.Optimizer;
import dev.tessera.nn.optim.StepLR;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The training loop end to end on the bundled digits: accuracy, resume after a kill, history. */
class TrainerTest {

    /** Digits scaled with statistics of the first 1,400 examples; the rest are held out. */
    private static final TensorDataset DIGITS = Datasets.digits();

    private static Dataset[] split() {
        int[] perm = new Generator(3).permutation(DIGITS.size());
        int[] train = java.util.Arrays.copyOfRange(perm, 0, 1400);
        int[] test = java.util.Arrays.copyOfRange(perm, 1400, perm.length);
        StandardScaler scaler = StandardScaler.fit(DIGITS.subset(train));
        TensorDataset scaled = DIGITS.mapFeatures(scaler::transform);
        return new Dataset[] {scaled.subset(train), scaled.subset(test)};
    }

    private static Sequential mlp(long seed) {
        Generator g = new Generator(seed);
        return new Sequential(new Linear(64, 64, true, g), new ReLU(), new Dropout(0.1, new Generator(seed + 1)),
                new Linear(64, 10, true, g));
    }

    @Test
    void mlpLearnsDigitsAboveNinetyFivePercent() {
        Dataset[] data = split();
        Sequential model = mlp(1);
        Trainer trainer = Trainer.builder(model, new Adam(model.parameters(), 3e-3f), F::crossEntropy)
                .epochs(15).metrics(Metric.accuracy()).progress(false).build();
        History h = trainer.fit(new DataLoader(data[0], 32, true, 7), new DataLoader(data[1], 256, false, 0));
        assertEquals(15, h.size());
        double accuracy = trainer.evaluate(new DataLoader(data[1], 128, false, 0)).get("accuracy");
        assertTrue(accuracy > 0.95, "held-out accuracy " + accuracy);
        assertEquals(accuracy, h.last("val_accuracy"), 1e-12);
        assertTrue(h.get("loss")[14] < h.get("loss")[0], "training loss falls");
        Tensor predictions = trainer.predict(new DataLoader(data[1], 100, false, 0));
        assertArrayEquals(new int[] {data[1].size(), 10}, predictions.shape());
    }

    private static Trainer resumable(Sequential model, Path dir, Callback... extra) {
        Optimizer opt = new Adam(model.parameters(), 2e-3f);
        return Trainer.builder(model, opt, F::crossEntropy).epochs(3).metrics(Metric.accuracy())
                .scheduler(new StepLR(opt, 1, 0.5f)).checkpointDir(dir).checkpointEverySteps(5)
                .callbacks(extra).progress(false).build();
    }

    /** Fails like a killed process would: in the middle of an epoch, with no clean shutdown. */
    private static final class Crash extends RuntimeException {
        Crash() {
            super("simulated crash");
        }
    }

    private static Callback crashAtStep(int step) {
        return new Callback() {
            private int steps;

            @Override
            public void onBatchEnd(Trainer trainer, int epoch, int batch, double loss, int batchSize) {
                if (++steps == step) {
                    throw new Crash();
                }
            }
        };
    }

    private static void assertSameWeights(Module expected, Module actual) {
        Map<String, Tensor> a = expected.stateDict();
        Map<String, Tensor> b = actual.stateDict();
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) {
            assertArrayEquals(a.get(k).toFloatArray(), b.get(k).toFloatArray(), "bit-identical " + k);
        }
    }

    @ParameterizedTest(name = "latest checkpoint corrupt: {0}")
    @ValueSource(booleans = {false, true})
    void aKilledRunResumesToTheSameWeights(boolean corruptLatest, @TempDir Path tmp) throws Exception {
        Dataset train = split()[0].subset(java.util.stream.IntStream.range(0, 300).toArray());
        Sequential reference = mlp(11);
        History full = resumable(reference, tmp.resolve("uninterrupted")).fit(new DataLoader(train, 32, true, 5), null);

        Path dir = tmp.resolve("interrupted");
        assertThrows(Crash.class, () -> resumable(mlp(11), dir, crashAtStep(17)).fit(new DataLoader(train, 32, true, 5), null));
        Path latest = dir.resolve("checkpoint.safetensors");
        assertTrue(Files.exists(latest) && Files.exists(dir.resolve("checkpoint.previous.safetensors")));
        if (corruptLatest) {
            byte[] bytes = Files.readAllBytes(latest);
            Files.write(latest, java.util.Arrays.copyOf(bytes, bytes.length / 2)); // e.g. a disk that filled up
        }

        Sequential restarted = mlp(99); // other initial weights: everything must come from the checkpoint
        History resumed = resumable(restarted, dir).fit(new DataLoader(train, 32, true, 5), null);

        assertEquals(full.size(), resumed.size());
        assertArrayEquals(full.get("loss"), resumed.get("loss"));
        assertArrayEquals(full.get("lr"), resumed.get("lr"));
        assertSameWeights(reference, restarted);
    }

    @Test
    void historyWritesCsv(@TempDir Path tmp) throws Exception {
        History h = new History();
        h.add(Map.of("loss", 1.5));
        h.add(Map.of("loss", 0.25));
        Path file = tmp.resolve("history.csv");
        h.writeCsv(file);
        assertEquals("epoch,loss\n1,1.50000\n2,0.250000\n", Files.readString(file));
    }

    @Test
    void trainingWorksWithoutValidationAndOnModulesOfAnyShape() {
        Module model = new Linear(64, 10);
        Trainer trainer = Trainer.builder(model, new Adam(model.parameters(), 1e-2f), F::crossEntropy)
                .epochs(2).progress(false).clipGradNorm(1f).build();
        History h = trainer.fit(new DataLoader(split()[0], 100, false, 0), null);
        assertEquals(2, h.size());
        assertTrue(h.epochs().get(0).containsKey("lr") && !h.epochs().get(0).containsKey("val_loss"));
    }
}
