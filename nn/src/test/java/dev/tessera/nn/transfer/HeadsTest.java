package dev.tessera.nn.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.Generator;
import dev.tessera.Tensor;
import dev.tessera.nn.Identity;
import dev.tessera.nn.Linear;
import dev.tessera.nn.Module;
import dev.tessera.nn.ReLU;
import dev.tessera.nn.Sequential;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Replacing heads keeps the rest of the model. */
class HeadsTest {

    @Test
    void replaceLastOfASequentialKeepsTheBody() {
        Sequential model = TransferFixtures.mlp(10, 1);
        Module body0 = model.get(0);
        assertEquals("5", Heads.lastLinearPath(model));
        assertEquals(12, Heads.inFeatures(model, "5"));
        Module old = Heads.replaceLast(model, new Linear(12, 3, true, new Generator(2)));
        assertEquals(10, ((Linear) old).outFeatures());
        assertSame(body0, model.get(0));
        assertEquals(6, model.size());
        assertArrayEquals(new int[] {4, 3}, model.forward(Tensor.zeros(4, 8)).shape());
        assertThrows(IllegalArgumentException.class, () -> Heads.replaceLast(new Sequential(), new ReLU()));
    }

    @Test
    void replaceANamedHeadInANestedModel() {
        Sequential head = new Sequential(new Linear(12, 7), new ReLU(), new Linear(7, 10));
        Sequential model = new Sequential(TransferFixtures.mlp(12, 1), head);
        Module backbone = model.get(0);
        assertEquals("1.2", Heads.lastLinearPath(model));
        assertEquals(12, Heads.inFeatures(model, "1")); // the first Linear inside the head
        Linear fresh = Heads.replaceClassifier(model, "1", 4, new Generator(3));
        assertEquals(12, fresh.inFeatures());
        assertSame(fresh, model.get("1"));
        assertSame(backbone, model.get(0));
        assertArrayEquals(new int[] {2, 4}, model.forward(Tensor.zeros(2, 8)).shape());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Heads.replace(model, "fc", new ReLU()));
        assertTrue(e.getMessage().contains("fc"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Heads.inFeatures(new Sequential(new ReLU()), "0"));
    }

    @Test
    void removeTurnsTheModelIntoAFeatureExtractor() {
        Sequential model = TransferFixtures.mlp(10, 1);
        Heads.remove(model, "5");
        assertInstanceOf(Identity.class, model.get(5));
        assertArrayEquals(new int[] {3, 12}, model.forward(Tensor.zeros(3, 8)).shape());
    }

    @Test
    void newHeads() {
        Sequential mlp = Heads.mlp(12, new int[] {8, 6}, 3, 0.2, new Generator(1));
        assertEquals(7, mlp.size()); // Linear, ReLU, Dropout, Linear, ReLU, Dropout, Linear
        assertEquals(List.of("0", "3", "6"), FineTuning.blocks(mlp));
        assertEquals(3, Heads.linear(5, 3, new Generator(1)).outFeatures());
        assertThrows(IllegalArgumentException.class, () -> Heads.mlp(4, new int[] {2}, 3, 1.0, new Generator(1)));
    }
}
