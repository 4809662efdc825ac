package dev.tessera.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.Generator;
import dev.tessera.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link Module#loadStateDict} on state dicts as PyTorch exports them: without {@code
 * num_batches_tracked} (loads, counter set to 0, as PyTorch 1.13), and errors that name the first bad
 * key with both shapes.
 */
class StateDictCompatibilityTest {
    private static Sequential net() {
        Random.manualSeed(4);
        return new Sequential(new Conv2d(3, 4, 3, 1, 1), new BatchNorm2d(4), new ReLU(), new Flatten(), new Linear(64, 3));
    }

    /** A trained copy's state dict: running statistics moved, counter at 2. */
    private static Map<String, Tensor> trainedState() {
        Sequential src = net();
        src.train();
        src.forward(Tensor.randn(new Generator(1), 4, 3, 4, 4));
        src.forward(Tensor.randn(new Generator(2), 4, 3, 4, 4));
        return src.stateDict();
    }

    @Test
    void stateDictWithoutCountersLoadsStrictlyAndResetsThemToZero() {
        Map<String, Tensor> state = new LinkedHashMap<>(trainedState());
        assertEquals(2, state.get("1.num_batches_tracked").toIntArray()[0]);
        Tensor runningVar = state.get("1.running_var");
        state.remove("1.num_batches_tracked");
        Sequential dst = net();
        dst.train();
        dst.forward(Tensor.randn(new Generator(3), 4, 3, 4, 4)); // its own counter is 1 now
        LoadResult r = dst.loadStateDict(state);
        assertEquals(List.of(), r.missingKeys());
        assertEquals(List.of(), r.unexpectedKeys());
        assertEquals(0, dst.stateDict().get("1.num_batches_tracked").toIntArray()[0]);
        assertArrayEquals(runningVar.toFloatArray(), dst.stateDict().get("1.running_var").toFloatArray());
        assertEquals(Set.of("1.num_batches_tracked"), dst.batchNormCounters());
    }

    @Test
    void otherMissingKeysStillFailAStrictLoad() {
        Map<String, Tensor> state = new LinkedHashMap<>(trainedState());
        state.remove("1.num_batches_tracked");
        state.remove("1.running_mean");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> net().loadStateDict(state));
        assertTrue(e.getMessage().contains("first missing key '1.running_mean' (model shape [4]"), e.getMessage());
        assertTrue(!e.getMessage().contains("num_batches_tracked"), e.getMessage());
    }

    @Test
    void strictMessageNamesTheFirstBadKeyAndBothShapes() {
        Map<String, Tensor> state = new LinkedHashMap<>(trainedState());
        state.put("4.weight", Tensor.zeros(5, 64));
        state.put("4.bias", Tensor.zeros(5));
        state.put("5.weight", Tensor.zeros(2));
        Sequential dst = net();
        float[] before = dst.stateDict().get("0.weight").toFloatArray();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> dst.loadStateDict(state));
        String m = e.getMessage();
        assertTrue(m.startsWith("Sequential.loadStateDict: error(s) loading the state dict, first size mismatch for 4.weight:"
                + " checkpoint shape [5, 64], model shape [3, 64]"), m);
        assertTrue(m.contains("unexpected keys [5.weight]") && m.contains("4.bias: checkpoint shape [5], model shape [3]"), m);
        assertArrayEquals(before, dst.stateDict().get("0.weight").toFloatArray(), "nothing is loaded");

        state.remove("4.weight");
        state.remove("4.bias");
        IllegalArgumentException extra = assertThrows(IllegalArgumentException.class, () -> net().loadStateDict(state));
        assertTrue(extra.getMessage().contains("first missing key '4.weight' (model shape [3, 64]"), extra.getMessage());
        state.put("4.weight", Tensor.zeros(3, 64));
        state.put("4.bias", Tensor.zeros(3));
        IllegalArgumentException unexpected = assertThrows(IllegalArgumentException.class, () -> net().loadStateDict(state));
        assertTrue(unexpected.getMessage().contains("first unexpected key '5.weight' (shape [2]"), unexpected.getMessage());
    }
}
