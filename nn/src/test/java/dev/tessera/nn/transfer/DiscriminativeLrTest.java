package dev.tessera.nn.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.Tensor;
import dev.tessera.nn.Sequential;
import dev.tessera.nn.optim.Adam;
import dev.tessera.nn.optim.Optimizer;
import dev.tessera.nn.optim.ParamGroup;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Parameter groups with discriminative learning rates hold the right parameters. */
class DiscriminativeLrTest {

    @Test
    void paramGroupsByPatternFirstMatchWinsAndFrozenAreLeftOut() {
        Sequential model = TransferFixtures.mlp(3, 1);
        FineTuning.freeze(model, "0");
        Map<String, Float> lrs = new LinkedHashMap<>();
        lrs.put("5", 1e-2f);
        lrs.put("3", 1e-3f);
        lrs.put("**", 1e-4f);
        List<ParamGroup> groups = FineTuning.paramGroups(model, lrs);
        assertEquals(3, groups.size());
        assertEquals(List.of(param(model, 5, 0), param(model, 5, 1)), groups.get(0).params());
        assertEquals(1e-2f, groups.get(0).lr());
        assertEquals(List.of(param(model, 3, 0), param(model, 3, 1)), groups.get(1).params());
        assertEquals(1e-3f, groups.get(1).lr());
        assertEquals(List.of(param(model, 1, 0), param(model, 1, 1)), groups.get(2).params()); // 0.* are frozen
        assertEquals(1e-4f, groups.get(2).lr());

        Optimizer opt = new Adam(groups, new Adam.Options());
        assertEquals(3, opt.paramGroups().size());
        assertEquals(1e-2f, opt.lr(0));
        assertEquals(1e-4f, opt.lr(2));
        assertEquals(6, opt.parameters().size());
        assertTrue(opt.parameters().stream().allMatch(Tensor::requiresGrad));
        for (Tensor p : opt.parameters()) {
            assertTrue(FineTuning.trainableParameters(model).stream().anyMatch(q -> q == p));
        }
    }

    @Test
    void unmatchedTrainableParametersAreNamed() {
        Sequential model = TransferFixtures.mlp(3, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FineTuning.paramGroups(model, Map.of("5", 1e-3f)));
        assertTrue(e.getMessage().contains("0.weight") && e.getMessage().contains("\"**\""), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FineTuning.paramGroups(model, Map.of("**", -1f)));
        assertTrue(e.getMessage().contains("-1.0"), e.getMessage());
        model.freeze();
        e = assertThrows(IllegalArgumentException.class, () -> FineTuning.paramGroups(model, Map.of("**", 1f)));
        assertTrue(e.getMessage().contains("no trainable parameter"), e.getMessage());
    }

    @Test
    void layerwiseLrDecaysFromTheTop() {
        Sequential model = TransferFixtures.mlp(3, 1);
        List<ParamGroup> groups = FineTuning.layerwiseLr(model, 1f, 0.5f);
        assertEquals(4, groups.size()); // blocks 0, 1, 3, 5, bottom first
        assertEquals(0.125f, groups.get(0).lr());
        assertSame(param(model, 0, 0), groups.get(0).params().get(0));
        assertEquals(0.25f, groups.get(1).lr());
        assertEquals(0.5f, groups.get(2).lr());
        assertEquals(1f, groups.get(3).lr());
        assertSame(param(model, 5, 1), groups.get(3).params().get(1));
    }

    private static Tensor param(Sequential m, int layer, int index) {
        return m.get(layer).parameters().get(index);
    }
}
