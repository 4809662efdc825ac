package dev.tessera.nn.transfer;

import static dev.tessera.nn.transfer.TransferFixtures.assertBitIdentical;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.Tensor;
import dev.tessera.nn.F;
import dev.tessera.nn.Sequential;
import dev.tessera.nn.data.TensorDataset;
import dev.tessera.nn.optim.Adam;
import dev.tessera.nn.optim.Optimizer;
import dev.tessera.nn.optim.SGD;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Freezing by pattern, up to a layer and by top blocks; frozen parameters never move. */
class FreezingTest {

    @Test
    void frozenParameterIsBitIdenticalAfterStepsAndUnfrozenOneChanges() {
        Sequential model = TransferFixtures.mlp(3, 1);
        TensorDataset data = TransferFixtures.data(32, 3, 2);
        FineTuning.freeze(model, "0", "1");
        float[] frozenBefore = model.get(0).parameters().get(0).toFloatArray();
        float[] bnBefore = model.get(1).parameters().get(0).toFloatArray();
        float[] headBefore = model.get(5).parameters().get(0).toFloatArray();
        // Even an optimizer given every parameter, with weight decay, must not move a frozen one.
        Optimizer all = new Adam(model.parameters(), 0.05f, 0.9f, 0.999f, 1e-8f, 0.1f, false);
        for (int step = 0; step < 5; step++) {
            all.zeroGrad();
            F.crossEntropy(model.forward(data.features()), data.targets()).backward();
            all.step();
        }
        assertBitIdentical(frozenBefore, model.get(0).parameters().get(0).toFloatArray(), "frozen 0.weight");
        assertBitIdentical(bnBefore, model.get(1).parameters().get(0).toFloatArray(), "frozen 1.weight");
        assertFalse(Arrays.equals(headBefore, model.get(5).parameters().get(0).toFloatArray()), "the head did not train");
    }

    @Test
    void optimizerReceivesOnlyTrainableParameters() {
        Sequential model = TransferFixtures.mlp(3, 1);
        FineTuning.freezeUpTo(model, "3");
        List<Tensor> trainable = FineTuning.trainableParameters(model);
        Optimizer opt = new SGD(trainable, 0.1f);
        assertEquals(2, opt.parameters().size());
        assertSame(model.get(5).parameters().get(0), opt.parameters().get(0));
        assertSame(model.get(5).parameters().get(1), opt.parameters().get(1));
        assertTrue(opt.parameters().stream().allMatch(Tensor::requiresGrad));
        assertEquals(List.of("5.weight", "5.bias"), List.copyOf(FineTuning.trainableNamedParameters(model).keySet()));
    }

    @Test
    void freezeByGlobAndRegex() {
        Sequential model = TransferFixtures.mlp(3, 1);
        assertEquals(List.of("0.bias", "1.bias", "3.bias", "5.bias"), FineTuning.freeze(model, "**.bias"));
        model.unfreeze();
        assertEquals(List.of("0.weight", "0.bias", "3.weight", "3.bias"), FineTuning.freeze(model, "re:[03]"));
        assertEquals(List.of("0.weight", "0.bias", "3.weight", "3.bias"), FineTuning.frozenNames(model));
        assertEquals(List.of("3.weight", "3.bias"), FineTuning.unfreeze(model, "3"));
        assertEquals(List.of("0.weight", "0.bias"), FineTuning.frozenNames(model));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FineTuning.freeze(model, "layer9"));
        assertTrue(e.getMessage().contains("'layer9'") && e.getMessage().contains("[0, 1, 3, 5]"), e.getMessage());
    }

    @Test
    void freezeUpToANamedLayerIsInclusiveAndLeavesTheRest() {
        Sequential model = TransferFixtures.mlp(3, 1);
        assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias"), FineTuning.freezeUpTo(model, "1"));
        assertEquals(List.of("3.weight", "3.bias", "5.weight", "5.bias"),
                List.copyOf(FineTuning.trainableNamedParameters(model).keySet()));
        // A parameterless module freezes everything before it.
        model.unfreeze();
        assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias"), FineTuning.freezeUpTo(model, "2"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FineTuning.freezeUpTo(model, "layer3"));
        assertTrue(e.getMessage().contains("layer3"), e.getMessage());
    }

    @Test
    void freezeUpToInNestedModels() {
        Sequential inner = TransferFixtures.mlp(4, 3);
        Sequential model = new Sequential(inner, new dev.tessera.nn.Linear(4, 2));
        List<String> frozen = FineTuning.freezeUpTo(model, "0.3");
        assertEquals(List.of("0.0.weight", "0.0.bias", "0.1.weight", "0.1.bias", "0.3.weight", "0.3.bias"), frozen);
        assertEquals(List.of("0.5.weight", "0.5.bias", "1.weight", "1.bias"),
                List.copyOf(FineTuning.trainableNamedParameters(model).keySet()));
    }

    @Test
    void unfreezeTopNBlocks() {
        Sequential model = TransferFixtures.mlp(3, 1);
        assertEquals(List.of("0", "1", "3", "5"), FineTuning.blocks(model));
        assertEquals(List.of("3.weight", "3.bias", "5.weight", "5.bias"), FineTuning.trainOnlyTop(model, 2));
        assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias"), FineTuning.frozenNames(model));
        model.freeze();
        assertEquals(List.of("5.weight", "5.bias"), FineTuning.unfreezeTop(model, 1));
        assertEquals(List.of(), FineTuning.unfreezeTop(model, 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FineTuning.unfreezeTop(model, 5));
        assertTrue(e.getMessage().contains("got 5"), e.getMessage());
        Sequential nested = new Sequential(TransferFixtures.mlp(3, 2));
        assertEquals(List.of("0.0", "0.1", "0.3", "0.5"), FineTuning.blocks(nested, "0"));
        nested.freeze();
        assertEquals(List.of("0.5.weight", "0.5.bias"), FineTuning.unfreezeTop(nested, "0", 1));
    }

    @Test
    void namePatternsMatchWholeNamesOrDottedPrefixes() {
        assertTrue(NamePattern.of("layer1").matches("layer1.0.conv1.weight"));
        assertFalse(NamePattern.of("layer1").matches("layer10.weight"));
        assertTrue(NamePattern.of("layer*.0").matches("layer3.0.bn1.bias"));
        assertFalse(NamePattern.of("layer*").matches("fc.weight"));
        assertFalse(NamePattern.of("*.bn?").matches("layer2.0.bn1.weight"));
        assertTrue(NamePattern.of("*.*.bn?").matches("layer2.0.bn1.weight"));
        assertTrue(NamePattern.of("**.bias").matches("a.b.c.bias"));
        assertFalse(NamePattern.of("**.bias").matches("a.b.c.weight"));
        assertTrue(NamePattern.of("**").matches("anything.at.all"));
        assertTrue(NamePattern.of("re:layer[34]").matches("layer4.1.conv2.weight"));
        assertFalse(NamePattern.of("re:layer[34]").matches("layer2.1.conv2.weight"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NamePattern.of("re:layer[3"));
        assertTrue(e.getMessage().contains("layer[3"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NamePattern.of(""));
    }
}
