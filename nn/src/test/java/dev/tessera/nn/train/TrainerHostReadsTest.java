package dev.tessera.nn.train;

import static dev.tessera.nn.train.TrainingData.assertSameWeights;
import static dev.tessera.nn.train.TrainingData.digits;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.CountingBackend;
import dev.tessera.Device;
import dev.tessera.Generator;
import dev.tessera.Tensor;
import dev.tessera.nn.BatchNorm1d;
import dev.tessera.nn.CrossEntropyLoss;
import dev.tessera.nn.Linear;
import dev.tessera.nn.ReLU;
import dev.tessera.nn.Reduction;
import dev.tessera.nn.Sequential;
import dev.tessera.nn.data.DataLoader;
import dev.tessera.nn.data.TensorDataset;
import dev.tessera.nn.io.SafeTensors;
import dev.tessera.nn.optim.Adam;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * On a device other than the CPU (a backend that counts reads back to the host stands in for a
 * GPU), a training step reads nothing back: an MLP with batch norm (cumulative and with momentum),
 * cross-entropy with ignored targets and gradient clipping trains through the {@link Trainer} with
 * one read per progress line and one per epoch end, and ends with the CPU's weights bit for bit.
 * A non-finite loss is still reported with its exact epoch, batch and value, at the next read-back.
 */
class TrainerHostReadsTest {
    private static final int BATCH = 8;
    private static final int EPOCHS = 2;
    /** 12 batches of 8; every fifth target is ignored. */
    private static final TensorDataset DATA = withIgnoredTargets(digits(96));
    /** A fresh device index per backend installed: nn caches constants per device. */
    private static final AtomicInteger NEXT = new AtomicInteger(60);

    private static TensorDataset withIgnoredTargets(TensorDataset d) {
        int[] y = d.targets().toIntArray();
        for (int i = 0; i < y.length; i += 5) {
            y[i] = -100;
        }
        return new TensorDataset(d.features(), Tensor.ofInts(y, y.length), d.classNames());
    }

    private static CountingBackend install() {
        return new CountingBackend(Device.opencl(NEXT.getAndIncrement()), false).install();
    }

    private static Sequential mlp() {
        Generator g = new Generator(11);
        return new Sequential(new Linear(64, 32, true, g), new BatchNorm1d(32, 1e-5, null, true, true), new ReLU(),
                new Linear(32, 16, true, g), new BatchNorm1d(32 / 2, 1e-5, 0.1), new ReLU(), new Linear(16, 10, true, g));
    }

    private static Trainer.Builder builder(Sequential model, boolean progress) {
        CrossEntropyLoss loss = new CrossEntropyLoss(Reduction.MEAN, -100, 0f);
        return Trainer.builder(model, new Adam(model.parameters(), 1e-2f), loss::forward).epochs(EPOCHS)
                .clipGradNorm(0.5f).progress(progress);
    }

    private static DataLoader loader(TensorDataset data) {
        return new DataLoader(data, BATCH, true, 5);
    }

    /** Calls {@link Trainer#runningLoss()} after every third batch, as a progress line does, and counts the calls. */
    private static final class Drawer implements Callback {
        int draws;
        double last;

        @Override
        public void onBatchEnd(Trainer trainer, int epoch, int batch, Tensor loss, int batchSize) {
            if (batch % 3 == 2) {
                draws++;
                last = trainer.runningLoss();
            }
        }
    }

    @Test
    void stepsReadNothingBackOnlyProgressLinesAndEpochEndsDo() {
        Sequential reference = mlp();
        History expected = builder(reference, false).build().fit(loader(DATA), null);

        Sequential model = mlp();
        Drawer drawer = new Drawer();
        History h;
        int reads;
        try (CountingBackend dev = install()) {
            model.to(dev.device());
            Trainer trainer = builder(model, false).callbacks(drawer).build();
            dev.resetReads();
            h = trainer.fit(loader(DATA), null);
            reads = dev.reads();
            assertEquals(EPOCHS * 4, drawer.draws);
            assertTrue(reads <= drawer.draws + EPOCHS, "reads " + reads + " beyond " + drawer.draws + " progress draws and "
                    + EPOCHS + " epoch ends: " + dev.readSummary());
            model.to(Device.cpu());
        }
        assertEquals(drawer.draws + EPOCHS, reads, "one read per draw and per epoch end, none per step");
        assertSameWeights(reference, model);
        assertArrayEquals(expected.get("loss"), h.get("loss"), 1e-6 * expected.get("loss")[0]);
        assertEquals(h.get("loss")[EPOCHS - 1], drawer.last, 0.3, "the last draw shows the epoch's loss so far");
    }

    @Test
    void theProgressDisplayReadsOnlyWhenItDrawsALine() {
        Sequential model = mlp();
        try (CountingBackend dev = install()) {
            model.to(dev.device());
            Trainer trainer = builder(model, true).build();
            dev.resetReads();
            trainer.fit(loader(DATA), null);
            // Without a console it logs a line at each quarter of the 12 batches (after 3, 6 and 9).
            assertEquals(EPOCHS * (3 + 1), dev.reads(), "reads: " + dev.readSummary());
        }
    }

    @Test
    void evaluationReadsTheLossOnceAtTheEnd() {
        Sequential reference = mlp();
        Map<String, Double> expected = builder(reference, false).build().evaluate(loader(DATA));
        Sequential model = mlp();
        try (CountingBackend dev = install()) {
            model.to(dev.device());
            Trainer trainer = builder(model, false).build();
            dev.resetReads();
            Map<String, Double> result = trainer.evaluate(loader(DATA));
            assertEquals(1, dev.reads(), "reads: " + dev.readSummary());
            assertEquals(expected.get("loss"), result.get("loss"), 1e-6 * expected.get("loss"));
        }
    }

    /** Batch 4 of the first epoch (unshuffled) holds a NaN. */
    private static final TensorDataset NAN_DATA = withIgnoredTargets(digits(96, 4 * BATCH + 2));

    @ParameterizedTest(name = "found at the draw after batch {0}")
    @ValueSource(ints = {5, 8, 11})
    void aNonFiniteLossIsNamedExactlyAtTheNextReadBack(int drawnAfter) {
        Sequential model = mlp();
        Callback drawAt = new Callback() {
            @Override
            public void onBatchEnd(Trainer trainer, int epoch, int batch, Tensor loss, int batchSize) {
                if (batch == drawnAfter) {
                    trainer.runningLoss();
                }
            }
        };
        try (CountingBackend dev = install()) {
            model.to(dev.device());
            Trainer trainer = builder(model, false).callbacks(drawAt).build();
            NonFiniteLossException e = assertThrows(NonFiniteLossException.class,
                    () -> trainer.fit(new DataLoader(NAN_DATA, BATCH, false, 0), null));
            assertEquals(0, e.epoch());
            assertEquals(4, e.batch(), "the first non-finite batch, not the one where it was found");
            assertTrue(Double.isNaN(e.loss()));
            assertEquals(drawnAfter, e.lastBatchRun());
            assertTrue(e.getMessage().contains("NaN at epoch 0, batch 4") && e.getMessage().contains("after batch " + drawnAfter),
                    e.getMessage());
        }
    }

    @Test
    void noCheckpointIsWrittenAfterANonFiniteLoss(@TempDir Path dir) throws Exception {
        Sequential model = mlp();
        try (CountingBackend dev = install()) {
            model.to(dev.device());
            Trainer trainer = builder(model, false).checkpointDir(dir).checkpointEverySteps(3).build();
            NonFiniteLossException e = assertThrows(NonFiniteLossException.class,
                    () -> trainer.fit(new DataLoader(NAN_DATA, BATCH, false, 0), null));
            assertEquals(4, e.batch());
            assertEquals(5, e.lastBatchRun(), "found when the checkpoint after step 6 was due");
            assertEquals("3", readGlobalStep(dir.resolve(Checkpoint.FILE_NAME)));
            assertFalse(Files.exists(dir.resolve(Checkpoint.PREVIOUS_FILE_NAME)), "only the checkpoint of step 3");
        }
    }

    private static String readGlobalStep(Path file) throws Exception {
        return SafeTensors.loadMetadata(file).get("globalStep");
    }

    @Test
    void underSkipTheDeviceResultsEqualTheCpus() {
        Sequential reference = mlp();
        Trainer cpu = builder(reference, false).nonFinitePolicy(NonFinitePolicy.SKIP).build();
        History expected = cpu.fit(new DataLoader(NAN_DATA, BATCH, false, 0), null);
        Sequential model = mlp();
        try (CountingBackend dev = install()) {
            model.to(dev.device());
            Trainer trainer = builder(model, false).nonFinitePolicy(NonFinitePolicy.SKIP).build();
            History h = trainer.fit(new DataLoader(NAN_DATA, BATCH, false, 0), null);
            assertEquals(EPOCHS, trainer.skippedSteps());
            assertArrayEquals(expected.get("loss"), h.get("loss"));
            model.to(Device.cpu());
        }
        assertSameWeights(reference, model);
    }
}
