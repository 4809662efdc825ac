package dev.tessera.nn.train;

import static dev.tessera.nn.train.TrainingData.assertFinite;
import static dev.tessera.nn.train.TrainingData.assertSameWeights;
import static dev.tessera.nn.train.TrainingData.digits;
import static dev.tessera.nn.train.TrainingData.range;
import static dev.tessera.nn.train.TrainingData.tanhMlp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.Tensor;
import dev.tessera.nn.F;
import dev.tessera.nn.Module;
import dev.tessera.nn.Sequential;
import dev.tessera.nn.data.DataLoader;
import dev.tessera.nn.data.TensorDataset;
import dev.tessera.nn.io.SafeTensors;
import dev.tessera.nn.optim.Adam;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A NaN in the data: training stops naming the epoch and batch (or skips the batch), the weights
 * never take it in, and no checkpoint is ever written from non-finite weights.
 */
class NonFiniteLossTest {
    private static final int BATCH = 16;
    /** 20 batches in order; example 195 (batch 12) holds a NaN. */
    private static final TensorDataset DATA = digits(320, 12 * BATCH + 3);

    private static Trainer.Builder builder(Module model, int epochs) {
        return Trainer.builder(model, new Adam(model.parameters(), 1e-2f), F::crossEntropy).epochs(epochs).progress(false);
    }

    private static DataLoader inOrder(TensorDataset data) {
        return new DataLoader(data, BATCH, false, 0);
    }

    /** The model's state dict as the checkpoint in {@code file} holds it. */
    private static Map<String, Tensor> modelIn(Path file) throws Exception {
        Map<String, Tensor> model = new LinkedHashMap<>();
        SafeTensors.load(file).forEach((k, v) -> {
            if (k.startsWith("model.")) {
                model.put(k.substring("model.".length()), v);
            }
        });
        return model;
    }

    /** The weights after training on the first {@code batches} batches of {@link #DATA}. */
    private static Sequential trainedOn(int batches) {
        Sequential model = tanhMlp(1);
        builder(model, 1).build().fit(inOrder(range(DATA, 0, batches * BATCH)), null);
        return model;
    }

    @Test
    void aNanLossStopsTrainingNamingEpochAndBatchAndKeepsTheLastGoodCheckpoints(@TempDir Path dir) throws Exception {
        Sequential model = tanhMlp(1);
        Trainer trainer = builder(model, 3).checkpointDir(dir).checkpointEverySteps(5).build();

        NonFiniteLossException e = assertThrows(NonFiniteLossException.class, () -> trainer.fit(inOrder(DATA), null));
        assertEquals(0, e.epoch());
        assertEquals(12, e.batch());
        assertTrue(Double.isNaN(e.loss()));
        assertTrue(e.getMessage().contains("NaN at epoch 0, batch 12"), e.getMessage());

        // The bad batch never reached the weights: they are those after batches 0-11.
        assertSameWeights(trainedOn(12), model);
        // The checkpoints after steps 10 and 5 are intact.
        Path latest = dir.resolve(Checkpoint.FILE_NAME);
        Path previous = dir.resolve(Checkpoint.PREVIOUS_FILE_NAME);
        assertEquals("10", SafeTensors.loadMetadata(latest).get("globalStep"));
        assertEquals("5", SafeTensors.loadMetadata(previous).get("globalStep"));
        assertSameWeights(trainedOn(10).stateDict(), modelIn(latest));
        assertSameWeights(trainedOn(5).stateDict(), modelIn(previous));
    }

    @Test
    void underSkipABatchWithANanLossIsLeftOutAndTrainingCompletes() {
        Sequential model = tanhMlp(1);
        Trainer trainer = builder(model, 2).nonFinitePolicy(NonFinitePolicy.SKIP).build();
        History h = trainer.fit(inOrder(DATA), null);

        assertEquals(2, h.size());
        assertEquals(2, trainer.skippedSteps(), "batch 12 of each epoch");
        assertFinite("weights", model.stateDict());
        // Exactly as if batch 12 were not in the data.
        Sequential reference = tanhMlp(1);
        TensorDataset without = TrainingData.concat(range(DATA, 0, 12 * BATCH), range(DATA, 13 * BATCH, DATA.size()));
        History expected = builder(reference, 2).build().fit(inOrder(without), null);
        assertSameWeights(reference, model);
        assertArrayEquals(expected.get("loss"), h.get("loss"));
    }

    @Test
    void aCheckpointIsNeverWrittenFromNonFiniteWeights(@TempDir Path dir) throws Exception {
        Sequential model = tanhMlp(1);
        Callback poison = new Callback() {
            @Override
            public void onBatchEnd(Trainer t, int epoch, int batch, double loss, int batchSize) {
                if (batch == 14) { // step 15: a checkpoint is due right after this
                    try (var ng = Tensor.noGrad()) {
                        model.parameters().get(0).copyFrom(model.parameters().get(0).add(Float.NaN));
                    }
                }
            }
        };
        Trainer trainer = builder(model, 1).checkpointDir(dir).checkpointEverySteps(5).callbacks(poison).build();
        TensorDataset clean = digits(320);

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> trainer.fit(inOrder(clean), null));
        assertTrue(e.getMessage().contains("'model.0.weight'") && e.getMessage().contains("not written"), e.getMessage());
        Path latest = dir.resolve(Checkpoint.FILE_NAME);
        Path previous = dir.resolve(Checkpoint.PREVIOUS_FILE_NAME);
        assertEquals("10", SafeTensors.loadMetadata(latest).get("globalStep"));
        assertEquals("5", SafeTensors.loadMetadata(previous).get("globalStep"));
        assertFinite(latest.toString(), SafeTensors.load(latest));
        assertFinite(previous.toString(), SafeTensors.load(previous));
    }
}
