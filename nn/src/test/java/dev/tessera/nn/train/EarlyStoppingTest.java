package dev.tessera.nn.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.Tensor;
import dev.tessera.nn.Linear;
import dev.tessera.nn.data.DataLoader;
import dev.tessera.nn.data.TensorDataset;
import dev.tessera.nn.optim.SGD;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Early stopping driven by a scripted validation sequence, so the epoch it stops at and the
 * weights it restores are fixed by construction, not by how an optimizer happens to diverge.
 *
 * <p>The set-up: a 1x1 linear layer without bias, weight 0, one example x = 1 per epoch, plain SGD
 * with lr 1 and the training loss {@code -w x}, so the weight after epoch {@code e} (0-based) is
 * exactly {@code e + 1}. The validation "loss" (in eval mode, without gradients) is looked up in a
 * script by that weight: epoch {@code e} reports {@code script[e]}.
 */
class EarlyStoppingTest {

    /** Trains against {@code script} for at most {@code script.length} epochs with {@code stop}; returns the history. */
    private static History run(Linear model, double[] script, Callback stop) {
        try (var ng = Tensor.noGrad()) {
            model.weight().copyFrom(Tensor.zeros(1, 1));
        }
        LossFunction scripted = (out, y) -> {
            if (out.requiresGrad()) {
                return out.sum().neg(); // training: d(-w)/dw = -1, so SGD with lr 1 adds 1 to w
            }
            int epoch = Math.round(out.item()) - 1; // the weight after epoch e is e + 1
            return Tensor.scalar((float) script[epoch]);
        };
        TensorDataset one = new TensorDataset(Tensor.ones(1, 1), Tensor.zeros(1, 1));
        Trainer trainer = Trainer.builder(model, new SGD(model.parameters(), 1f), scripted).epochs(script.length)
                .callbacks(stop).progress(false).build();
        return trainer.fit(new DataLoader(one, 1, false, 0), new DataLoader(one, 1, false, 0));
    }

    static Stream<Arguments> scripts() {
        return Stream.of(
                // script of val_loss, patience, minDelta, epochs run, best epoch (0-based)
                Arguments.of(new double[] {3, 2, 2.5, 1.5, 1.6, 1.7, 0.1, 0.1}, 2, 0.0, 6, 3),
                Arguments.of(new double[] {3, 2, 2, 2, 0.1, 0.1}, 2, 0.0, 4, 1), // equal is no improvement
                Arguments.of(new double[] {3, 2, 2.5, 1.5, 1.6, 1.7, 0.1, 0.2}, 3, 0.0, 8, 6),
                Arguments.of(new double[] {3, 2.6, 2.59, 0.1}, 2, 0.45, 3, 0), // 0.4 and 0.41 are below minDelta
                Arguments.of(new double[] {3, 2, 1, 0.5, 0.25}, 1, 0.0, 5, 4)); // never stops: improves every epoch
    }

    @ParameterizedTest(name = "{0}, patience {1}, minDelta {2}")
    @MethodSource("scripts")
    void stopsPatienceEpochsAfterTheBestAndRestoresItsWeights(double[] script, int patience, double minDelta, int epochsRun,
            int bestEpoch) {
        Linear model = new Linear(1, 1, false);
        EarlyStopping stop = new EarlyStopping("val_loss", patience, minDelta, true, true);
        History h = run(model, script, stop);
        assertEquals(epochsRun, h.size(), "epochs run");
        assertEquals(bestEpoch, stop.bestEpoch());
        assertEquals(script[bestEpoch], stop.best(), 1e-6);
        double[] expected = java.util.Arrays.copyOf(script, epochsRun);
        assertArrayEquals(expected, h.get("val_loss"), 1e-6);
        assertEquals(bestEpoch + 1f, model.weight().item(), "the best epoch's weight is put back");
    }

    @Test
    void keepsTheLastWeightsWithoutRestore() {
        Linear model = new Linear(1, 1, false);
        EarlyStopping stop = new EarlyStopping("val_loss", 2, 0, true, false);
        History h = run(model, new double[] {3, 2, 2.5, 2.5, 1, 1}, stop);
        assertEquals(4, h.size());
        assertEquals(1, stop.bestEpoch());
        assertEquals(4f, model.weight().item(), "the weight after the last epoch run");
    }

    @Test
    void higherIsBetterForAccuracies() {
        Linear model = new Linear(1, 1, false);
        EarlyStopping stop = new EarlyStopping("val_loss", 2, 0, false, true);
        History h = run(model, new double[] {0.5, 0.7, 0.6, 0.7, 0.9, 0.9}, stop);
        assertEquals(4, h.size(), "0.7 again at epoch 3 is no improvement on 0.7");
        assertEquals(1, stop.bestEpoch());
        assertEquals(0.7, stop.best(), 1e-6);
        assertEquals(2f, model.weight().item());
    }

    @Test
    void higherIsBetterWithMinDelta() {
        Linear model = new Linear(1, 1, false);
        EarlyStopping stop = new EarlyStopping("val_loss", 2, 0.25, false, true);
        History h = run(model, new double[] {0.5, 0.7, 0.74, 2, 2}, stop);
        assertEquals(3, h.size(), "0.7 and 0.74 are not 0.25 above 0.5; 2 comes too late");
        assertEquals(0, stop.bestEpoch());
        assertEquals(1f, model.weight().item());
    }

    @Test
    void stateSurvivesARoundTrip() {
        EarlyStopping a = new EarlyStopping("val_loss", 3, 0, true, false);
        run(new Linear(1, 1, false), new double[] {3, 2, 2.5}, a);
        Map<String, Double> state = a.stateDict();
        assertEquals(Map.of("best", 2.0, "wait", 1.0, "bestEpoch", 1.0), state);
        EarlyStopping b = new EarlyStopping("val_loss", 3, 0, true, false);
        b.loadStateDict(state);
        assertEquals(2.0, b.best());
        assertEquals(1, b.bestEpoch());
        assertEquals(state, b.stateDict());
    }

    @Test
    void validatesArgumentsAndNamesAMissingKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new EarlyStopping("val_loss", 0, 0, true, true));
        assertEquals("EarlyStopping: patience must be >= 1, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new EarlyStopping("val_loss", 1, -0.5, true, true));
        assertEquals("EarlyStopping: minDelta must be >= 0, got -0.5", e.getMessage());
        EarlyStopping stop = new EarlyStopping("val_accuracy", 1, 0, false, true);
        IllegalStateException s = assertThrows(IllegalStateException.class,
                () -> run(new Linear(1, 1, false), new double[] {1, 2}, stop));
        assertTrue(s.getMessage().contains("'val_accuracy'") && s.getMessage().contains("val_loss"), s.getMessage());
    }
}
