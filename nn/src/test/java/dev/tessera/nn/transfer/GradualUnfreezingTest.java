package dev.tessera.nn.transfer;

import static dev.tessera.nn.transfer.TransferFixtures.assertBitIdentical;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.nn.F;
import dev.tessera.nn.Sequential;
import dev.tessera.nn.data.DataLoader;
import dev.tessera.nn.optim.Adam;
import dev.tessera.nn.optim.Optimizer;
import dev.tessera.nn.optim.ParamGroup;
import dev.tessera.nn.train.Callback;
import dev.tessera.nn.train.Trainer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Gradual unfreezing adds one parameter group per block at the right epochs. */
class GradualUnfreezingTest {

    /** Records, at the start of each epoch (after the callbacks before it), the groups and a block's weights. */
    private static final class Probe implements Callback {
        final List<Integer> groupCounts = new ArrayList<>();
        final List<List<Float>> lrs = new ArrayList<>();
        final List<float[]> block3 = new ArrayList<>();
        final Sequential model;

        Probe(Sequential model) {
            this.model = model;
        }

        @Override
        public void onEpochBegin(Trainer trainer, int epoch) {
            groupCounts.add(trainer.optimizer().paramGroups().size());
            lrs.add(trainer.optimizer().paramGroups().stream().map(ParamGroup::lr).toList());
            block3.add(model.get(3).parameters().get(0).toFloatArray());
        }
    }

    @Test
    void unfreezesOneBlockEveryKEpochsWithItsOwnGroup() {
        Sequential model = TransferFixtures.mlp(3, 1);
        FineTuning.trainOnlyTop(model, 1);
        Optimizer opt = new Adam(FineTuning.trainableParameters(model), 1e-2f);
        GradualUnfreezing gu = GradualUnfreezing.builder(model).every(2).lr(4e-3f).lrDecay(0.5f).build();
        assertEquals(List.of("3", "1", "0"), gu.blocks());
        Probe probe = new Probe(model);
        Trainer.builder(model, opt, F::crossEntropy).epochs(7).progress(false).callbacks(gu, probe).build()
                .fit(new DataLoader(TransferFixtures.data(32, 3, 2), 8, true, 3), null);

        assertEquals(List.of(1, 1, 2, 2, 3, 3, 4), probe.groupCounts);
        assertEquals(Map.of("3", 2, "1", 4, "0", 6), gu.unfrozenAt());
        assertEquals(List.of("3", "1", "0"), List.copyOf(gu.unfrozenAt().keySet()));
        assertEquals(List.of(1e-2f, 4e-3f, 2e-3f, 1e-3f), probe.lrs.get(6));
        assertEquals(List.of(model.get(3).parameters().get(0), model.get(3).parameters().get(1)),
                opt.paramGroups().get(1).params());
        // Block 3 is frozen for epochs 0 and 1, trains from epoch 2 on.
        assertBitIdentical(probe.block3.get(0), probe.block3.get(1), "block 3 during epoch 0");
        assertBitIdentical(probe.block3.get(1), probe.block3.get(2), "block 3 during epoch 1");
        assertFalse(Arrays.equals(probe.block3.get(2), probe.block3.get(3)), "block 3 did not train in epoch 2");
        assertTrue(FineTuning.frozenNames(model).isEmpty());
    }

    @Test
    void defaultsToTheFrozenBlocksTopDownAndTheOptimizerLr() {
        Sequential model = TransferFixtures.mlp(3, 1);
        FineTuning.freezeUpTo(model, "1");
        GradualUnfreezing gu = GradualUnfreezing.builder(model).build();
        assertEquals(List.of("1", "0"), gu.blocks());
        Optimizer opt = new Adam(FineTuning.trainableParameters(model), 3e-3f);
        Trainer.builder(model, opt, F::crossEntropy).epochs(3).progress(false).callbacks(gu).build()
                .fit(new DataLoader(TransferFixtures.data(16, 3, 2), 8, true, 3), null);
        assertEquals(Map.of("1", 1, "0", 2), gu.unfrozenAt());
        assertEquals(3, opt.paramGroups().size());
        assertEquals(3e-3f, opt.lr(1));
        assertEquals(3e-3f, opt.lr(2));
        assertEquals(Map.of("unfrozen", 2.0), gu.stateDict());
        assertThrows(IllegalArgumentException.class, () -> GradualUnfreezing.builder(model).every(0));
        assertThrows(IllegalArgumentException.class, () -> GradualUnfreezing.builder(model).blocks("nope").build());
    }
    @Test
    void aRunResumedAfterABlockWasUnfrozenEndsWithTheSameWeights(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) {
        Sequential reference = run(tmp.resolve("whole"), 0);
        Sequential resumed;
        try {
            run(tmp.resolve("interrupted"), 13); // crashes in epoch 4, after two blocks were unfrozen
            throw new AssertionError("the run should have crashed");
        } catch (IllegalStateException expected) {
            resumed = run(tmp.resolve("interrupted"), 0);
        }
        for (int i = 0; i < reference.parameters().size(); i++) {
            assertBitIdentical(reference.parameters().get(i).toFloatArray(), resumed.parameters().get(i).toFloatArray(), "parameter " + i);
        }
    }

    /** Five epochs of 4 steps, unfreezing every epoch, checkpointing each epoch; crashes at {@code crashStep} (0: never). */
    private static Sequential run(java.nio.file.Path dir, int crashStep) {
        Sequential model = TransferFixtures.mlp(3, 1);
        FineTuning.trainOnlyTop(model, 1);
        Optimizer opt = new Adam(FineTuning.trainableParameters(model), 1e-2f);
        GradualUnfreezing gu = GradualUnfreezing.builder(model).every(1).lr(4e-3f).build();
        Callback crash = new Callback() {
            private int steps;

            @Override
            public void onBatchEnd(Trainer trainer, int epoch, int batch, double loss, int batchSize) {
                if (++steps == crashStep) {
                    throw new IllegalStateException("simulated crash");
                }
            }
        };
        Trainer.builder(model, opt, F::crossEntropy).epochs(5).progress(false).checkpointDir(dir).callbacks(gu, crash).build()
                .fit(new DataLoader(TransferFixtures.data(32, 3, 2), 8, true, 3), null);
        return model;
    }
}
