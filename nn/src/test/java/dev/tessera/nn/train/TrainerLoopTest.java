package dev.tessera.nn.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tessera.Tensor;
import dev.tessera.nn.F;
import dev.tessera.nn.Linear;
import dev.tessera.nn.data.DataLoader;
import dev.tessera.nn.data.TensorDataset;
import dev.tessera.nn.metrics.Metric;
import dev.tessera.nn.optim.Optimizer;
import dev.tessera.nn.optim.ReduceLROnPlateau;
import dev.tessera.nn.optim.SGD;
import dev.tessera.nn.optim.StepLR;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The training loop's bookkeeping on problems small enough to work out by hand: a 1x1 linear layer
 * without bias, weight {@code w}, on x = 1, 2, 3 with target 0 in batches of 2 and 1. With {@code w
 * = 1} and no learning the batch losses (MSE) are (1 + 4) / 2 = 2.5 and 9, so the epoch loss, a
 * mean over examples, is (2 * 2.5 + 9) / 3 = 14 / 3 (a mean over batches would be 5.75).
 */
class TrainerLoopTest {
    private static final double EPOCH_LOSS = 14.0 / 3;

    private static TensorDataset data(float... x) {
        return new TensorDataset(Tensor.of(x, x.length, 1), Tensor.zeros(x.length, 1));
    }

    private static DataLoader loader(TensorDataset d, int batch) {
        return new DataLoader(d, batch, false, 0);
    }

    private static Linear model(float w) {
        Linear m = new Linear(1, 1, false);
        try (var ng = Tensor.noGrad()) {
            m.weight().copyFrom(Tensor.full(w, 1, 1));
        }
        return m;
    }

    /** Counts the examples it was given since the last reset. */
    private static final class Seen implements Metric {
        private int n;

        @Override
        public String name() {
            return "seen";
        }

        @Override
        public void update(Tensor output, Tensor target) {
            n += output.size(0);
        }

        @Override
        public double compute() {
            return n;
        }

        @Override
        public void reset() {
            n = 0;
        }
    }

    /** Writes down every call, and asks for a stop at one (epoch, batch) if told to. */
    private static final class Recorder implements Callback {
        final List<String> events = new ArrayList<>();
        private final int stopEpoch;
        private final int stopBatch;

        Recorder(int stopEpoch, int stopBatch) {
            this.stopEpoch = stopEpoch;
            this.stopBatch = stopBatch;
        }

        @Override
        public void onTrainBegin(Trainer trainer) {
            events.add("trainBegin");
        }

        @Override
        public void onEpochBegin(Trainer trainer, int epoch) {
            events.add("epochBegin " + epoch);
        }

        @Override
        public void onBatchEnd(Trainer trainer, int epoch, int batch, double loss, int batchSize) {
            events.add("batch " + epoch + " " + batch + " " + loss + " " + batchSize);
            if (epoch == stopEpoch && batch == stopBatch) {
                trainer.requestStop();
            }
        }

        @Override
        public void onEpochEnd(Trainer trainer, int epoch, Map<String, Double> logs) {
            events.add("epochEnd " + epoch);
        }

        @Override
        public void onTrainEnd(Trainer trainer, History history) {
            events.add("trainEnd " + history.size());
        }
    }

    @Test
    void lossesAndMetricsAreMeansOverExamplesOnTrainingAndValidationData() {
        Linear m = model(1f);
        Trainer trainer = Trainer.builder(m, new SGD(m.parameters(), 0f), F::mseLoss).epochs(2).metrics(new Seen())
                .progress(false).build();
        History h = trainer.fit(loader(data(1, 2, 3), 2), loader(data(1, 2, 3), 2));
        assertArrayEquals(new double[] {EPOCH_LOSS, EPOCH_LOSS}, h.get("loss"), 1e-6);
        assertArrayEquals(new double[] {EPOCH_LOSS, EPOCH_LOSS}, h.get("val_loss"), 1e-6);
        assertArrayEquals(new double[] {3, 3}, h.get("seen"), "reset every epoch");
        assertArrayEquals(new double[] {3, 3}, h.get("val_seen"));
        Map<String, Double> eval = trainer.evaluate(loader(data(1, 2, 3), 1));
        assertEquals(EPOCH_LOSS, eval.get("loss"), 1e-6);
        assertEquals(3.0, eval.get("seen"));
        assertEquals(2, trainer.batchesPerEpoch());
        assertEquals(2, trainer.epochs());
    }

    @Test
    void trainingMetricsStartAfreshEachEpochWithoutValidation() {
        Linear m = model(1f);
        History h = Trainer.builder(m, new SGD(m.parameters(), 0f), F::mseLoss).epochs(3).metrics(new Seen())
                .progress(false).build().fit(loader(data(1, 2, 3), 2), null);
        assertArrayEquals(new double[] {3, 3, 3}, h.get("seen"));
    }

    @Test
    void callbacksAreCalledInOrderWithEachBatchsLossAndSize() {
        Linear m = model(1f);
        Recorder r = new Recorder(-1, -1);
        Trainer.builder(m, new SGD(m.parameters(), 0f), F::mseLoss).epochs(2).callbacks(r).progress(false).build()
                .fit(loader(data(1, 2, 3), 2), null);
        assertEquals(List.of("trainBegin", "epochBegin 0", "batch 0 0 2.5 2", "batch 0 1 9.0 1", "epochEnd 0",
                "epochBegin 1", "batch 1 0 2.5 2", "batch 1 1 9.0 1", "epochEnd 1", "trainEnd 2"), r.events);
    }

    @ParameterizedTest(name = "stop after batch {0} of epoch 1")
    @ValueSource(ints = {0, 1})
    void aStopRequestEndsTrainingAndLogsOnlyFinishedEpochs(int batch) {
        Linear m = model(1f);
        Recorder r = new Recorder(1, batch);
        History h = Trainer.builder(m, new SGD(m.parameters(), 0f), F::mseLoss).epochs(5).callbacks(r).progress(false)
                .build().fit(loader(data(1, 2, 3), 2), null);
        int logged = batch == 1 ? 2 : 1; // after the last batch, epoch 1 is complete and logged
        assertEquals(logged, h.size());
        assertEquals("trainEnd " + logged, r.events.get(r.events.size() - 1));
        assertEquals(batch == 1, r.events.contains("epochEnd 1"));
        assertEquals(false, r.events.contains("epochBegin 2"));
    }

    @Test
    void anEpochSchedulerStepsAfterEachEpochAndABatchSchedulerAfterEachStep() {
        Linear m = model(1f);
        SGD sgd = new SGD(m.parameters(), 0.01f);
        History perEpoch = Trainer.builder(m, sgd, F::mseLoss).epochs(3).scheduler(new StepLR(sgd, 1, 0.5f))
                .progress(false).build().fit(loader(data(1, 2, 3), 2), null);
        assertArrayEquals(new double[] {0.01, 0.005, 0.0025}, perEpoch.get("lr"), 1e-9);

        Linear m2 = model(1f);
        SGD sgd2 = new SGD(m2.parameters(), 0.01f);
        History perBatch = Trainer.builder(m2, sgd2, F::mseLoss).epochs(3).schedulerPerBatch(new StepLR(sgd2, 1, 0.5f))
                .progress(false).build().fit(loader(data(1, 2, 3), 2), null);
        assertArrayEquals(new double[] {0.0025, 0.000625, 0.00015625}, perBatch.get("lr"), 1e-10);
    }

    @Test
    void aPlateauReducesTheRateFromTheMonitoredValue() {
        // A loss with zero gradient: the weights and so val_loss never change; patience 0 reduces at every epoch after the first.
        Linear m = model(1f);
        SGD sgd = new SGD(m.parameters(), 1f);
        LossFunction flat = (out, y) -> out.mul(0f).sum();
        ReduceLROnPlateau plateau = new ReduceLROnPlateau(sgd, ReduceLROnPlateau.Mode.MIN, 0.5f, 0, 0f, 0, 0f);
        History h = Trainer.builder(m, sgd, flat).epochs(3).reduceLrOnPlateau(plateau, "val_loss").progress(false).build()
                .fit(loader(data(1, 2, 3), 2), loader(data(1, 2, 3), 3));
        assertArrayEquals(new double[] {1, 1, 0.5}, h.get("lr"), "logged before the plateau's step");
        assertEquals(0.25f, sgd.lr());

        ReduceLROnPlateau other = new ReduceLROnPlateau(sgd);
        Trainer wrongKey = Trainer.builder(m, sgd, flat).reduceLrOnPlateau(other, "val_accuracy").progress(false).build();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> wrongKey.fit(loader(data(1, 2, 3), 2), loader(data(1, 2, 3), 3)));
        assertEquals("Trainer: ReduceLROnPlateau monitors 'val_accuracy' but the logs only have [loss, val_loss, lr]",
                e.getMessage());
    }

    @Test
    void gradientClippingLimitsEachStep() {
        // loss 100 w x at x = 1: the gradient 100 is clipped to norm 1, so one step with lr 0.1 moves w by 0.1, not 10.
        LossFunction steep = (out, y) -> out.sum().mul(100f);
        Linear clipped = model(1f);
        Trainer.builder(clipped, new SGD(clipped.parameters(), 0.1f), steep).clipGradNorm(1f).progress(false).build()
                .fit(loader(data(1), 1), null);
        assertEquals(0.9f, clipped.weight().item(), 1e-6f);
        Linear free = model(1f);
        Trainer.builder(free, new SGD(free.parameters(), 0.1f), steep).clipGradNorm(0f).progress(false).build()
                .fit(loader(data(1), 1), null);
        assertEquals(-9f, free.weight().item(), 1e-5f);
    }

    @Test
    void builderEdges() {
        Linear m = model(1f);
        Optimizer sgd = new SGD(m.parameters(), 0f);
        Trainer t = Trainer.builder(m, sgd, F::mseLoss).epochs(1).checkpointEverySteps(0).clipGradNorm(0f).progress(false)
                .build();
        assertEquals(1, t.epochs());
        assertEquals(sgd, t.optimizer());
        assertEquals(m, t.model());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Trainer.builder(m, sgd, F::mseLoss).epochs(0));
        assertEquals("Trainer: epochs must be >= 1, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Trainer.builder(m, sgd, F::mseLoss).checkpointEverySteps(-1));
        assertEquals("Trainer: checkpointEverySteps must be >= 0, got -1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Trainer.builder(m, sgd, F::mseLoss).clipGradNorm(-1f));
        assertEquals("Trainer: clipGradNorm must be >= 0, got -1.0", e.getMessage());
    }

    /** Counts every batch it has seen, across resumes: its count is checkpointed state. */
    private static final class BatchCounter implements Callback {
        int total;
        int sinceStart;

        @Override
        public void onBatchEnd(Trainer trainer, int epoch, int batch, double loss, int batchSize) {
            total++;
            sinceStart++;
        }

        @Override
        public Map<String, Double> stateDict() {
            return Map.of("total", (double) total);
        }

        @Override
        public void loadStateDict(Map<String, Double> state) {
            total = state.getOrDefault("total", 0.0).intValue();
        }
    }

    /** Throws at the {@code step}-th batch of a run, as a killed process would stop. */
    private static Callback crashAt(int step) {
        return new Callback() {
            private int steps;

            @Override
            public void onBatchEnd(Trainer trainer, int epoch, int batch, double loss, int batchSize) {
                if (++steps == step) {
                    throw new IllegalStateException("simulated crash");
                }
            }
        };
    }

    /**
     * Trains 5 epochs of 4 batches (x = 1..4, target 2x) with SGD and momentum, checkpointing every 3
     * steps, with the epoch scheduler or the plateau ({@code "step"} or {@code "plateau"}).
     */
    private static History run(Path dir, String schedule, BatchCounter counter, Callback crash) {
        Linear m = model(0f);
        SGD sgd = new SGD(m.parameters(), 0.01f, 0.9f);
        TensorDataset d = new TensorDataset(Tensor.of(new float[] {1, 2, 3, 4}, 4, 1), Tensor.of(new float[] {2, 4, 6, 8}, 4, 1));
        Trainer.Builder b = Trainer.builder(m, sgd, F::mseLoss).epochs(5).callbacks(counter, crash).checkpointDir(dir)
                .checkpointEverySteps(3).progress(false);
        if (schedule.equals("step")) {
            b.scheduler(new StepLR(sgd, 2, 0.5f));
        } else {
            // threshold 0.5: only halving the loss counts as progress, so the rate is cut often
            b.reduceLrOnPlateau(new ReduceLROnPlateau(sgd, ReduceLROnPlateau.Mode.MIN, 0.5f, 0, 0.5f, 0, 0f), "loss");
        }
        return b.build().fit(new DataLoader(d, 1, false, 0), null);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"step", "plateau"})
    void aResumedRunRestoresHistorySchedulesAndCallbackState(String schedule, @TempDir Path tmp) {
        BatchCounter full = new BatchCounter();
        History expected = run(tmp.resolve("full"), schedule, full, crashAt(-1));
        assertEquals(20, full.total);

        Path dir = tmp.resolve("crashed");
        // Step 11 is batch 2 of epoch 2: two epochs are logged, and the last checkpoint is the one of step 9.
        assertThrows(IllegalStateException.class, () -> run(dir, schedule, new BatchCounter(), crashAt(11)));
        BatchCounter resumedCounter = new BatchCounter();
        History resumed = run(dir, schedule, resumedCounter, crashAt(-1));

        assertEquals(20 - 9, resumedCounter.sinceStart, "resumed from the mid-epoch checkpoint of step 9");
        assertEquals(20, resumedCounter.total, "the callback's count came back from the checkpoint");
        assertEquals(expected.size(), resumed.size());
        assertArrayEquals(expected.get("lr"), resumed.get("lr"));
        assertArrayEquals(expected.get("loss"), resumed.get("loss"));
    }

    @Test
    void withoutStepCheckpointsARunResumesFromTheLastEpochEnd(@TempDir Path tmp) {
        Linear m = model(1f);
        SGD sgd = new SGD(m.parameters(), 0f);
        BiFunction<BatchCounter, Callback, Trainer> make = (counter, crash) -> Trainer.builder(m, sgd, F::mseLoss).epochs(3)
                .callbacks(counter, crash).checkpointDir(tmp).progress(false).build();
        assertThrows(IllegalStateException.class, () -> make.apply(new BatchCounter(), crashAt(5)).fit(loader(data(1, 2, 3), 2), null));
        BatchCounter counter = new BatchCounter();
        History h = make.apply(counter, crashAt(-1)).fit(loader(data(1, 2, 3), 2), null);
        assertEquals(3, h.size());
        assertEquals(6 - 4, counter.sinceStart, "the crash at step 5 (epoch 2) resumes after epoch 1, step 4");
        assertEquals(6, counter.total);
    }
}
