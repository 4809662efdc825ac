package dev.tessera.nn.transfer;

import static dev.tessera.nn.transfer.TransferFixtures.assertBitIdentical;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.nn.BatchNorm;
import dev.tessera.nn.F;
import dev.tessera.nn.Sequential;
import dev.tessera.nn.data.DataLoader;
import dev.tessera.nn.optim.SGD;
import dev.tessera.nn.train.Callback;
import dev.tessera.nn.train.Trainer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A frozen BatchNorm stays in eval mode during training: its running statistics do not move. */
class FrozenBatchNormTest {

    private static float[][] stats(Sequential model) {
        BatchNorm bn = (BatchNorm) model.get(1);
        return new float[][] {bn.runningMean().toFloatArray(), bn.runningVar().toFloatArray(),
            {bn.numBatchesTracked().toIntArray()[0]}};
    }

    private static Sequential train(boolean keepEval, List<Boolean> bnTrainingSeen) {
        Sequential model = TransferFixtures.mlp(3, 1);
        FineTuning.freezeUpTo(model, "1");
        Callback probe = new Callback() {
            @Override
            public void onBatchEnd(Trainer trainer, int epoch, int batch, double loss, int batchSize) {
                bnTrainingSeen.add(model.get(1).isTraining());
            }
        };
        Trainer.Builder b = Trainer.builder(model, new SGD(FineTuning.trainableParameters(model), 0.1f), F::crossEntropy)
                .epochs(3).progress(false);
        if (keepEval) {
            b.callbacks(new FrozenBatchNormEval(model));
        }
        b.callbacks(probe).build().fit(new DataLoader(TransferFixtures.data(32, 3, 2), 8, true, 3),
                new DataLoader(TransferFixtures.data(16, 3, 9), 8, false, 0));
        return model;
    }

    @Test
    void frozenBatchNormKeepsItsRunningStatistics() {
        float[][] initial = stats(TransferFixtures.mlp(3, 1));
        List<Boolean> modes = new ArrayList<>();
        Sequential model = train(true, modes);
        float[][] after = stats(model);
        for (int i = 0; i < 3; i++) {
            assertBitIdentical(initial[i], after[i], "running statistic " + i);
        }
        assertEquals(12, modes.size());
        assertTrue(modes.stream().noneMatch(m -> m), "the frozen BatchNorm ran a batch in training mode");
        assertTrue(model.get(3).isTraining(), "the rest of the model must train in training mode");
    }

    @Test
    void withoutTheCallbackTheRunningStatisticsDrift() {
        float[][] initial = stats(TransferFixtures.mlp(3, 1));
        List<Boolean> modes = new ArrayList<>();
        float[][] after = stats(train(false, modes));
        assertFalse(Arrays.equals(initial[0], after[0]));
        assertEquals(12f, after[2][0]);
        assertTrue(modes.stream().allMatch(m -> m));
    }

    @Test
    void applyOnlyTouchesFrozenBatchNorms() {
        Sequential model = TransferFixtures.mlp(3, 1);
        assertEquals(List.of(), FrozenBatchNormEval.apply(model));
        FineTuning.freeze(model, "1");
        assertEquals(List.of("1"), FrozenBatchNormEval.apply(model));
        assertFalse(model.get(1).isTraining());
        assertTrue(model.get(0).isTraining());
    }
}
