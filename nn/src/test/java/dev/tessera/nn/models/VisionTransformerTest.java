package dev.tessera.nn.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.Generator;
import dev.tessera.GradCheck;
import dev.tessera.Tensor;
import dev.tessera.nn.Random;
import dev.tessera.nn.transfer.LoadOptions;
import dev.tessera.nn.transfer.Pretrained;
import dev.tessera.nn.transfer.TransferReport;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The vision transformer against torchvision 0.14: {@code vitB16}'s state dict (keys, shapes,
 * order) equals the list torchvision's {@code vit_b_16} wrote, a small configuration gives
 * torchvision's logits for the same weights, and the block's gradients pass a finite-difference check.
 */
class VisionTransformerTest {

    private static VisionTransformer small() {
        return new VisionTransformer(32, 8, 2, 4, 32, 64, 10, 0.0, 0.0, new Generator(5));
    }

    @Test
    void vitB16HasTorchvisionStateDict() throws Exception {
        VisionTransformer vit = VisionTransformer.vitB16(1000);
        assertEquals(86_567_656L, vit.parameterCount());
        assertEquals(GoldenFiles.stateShapes("vit_b_16-state.txt"), GoldenFiles.stateShapes(vit.stateDict()));
    }

    @Test
    void smallConfigurationMatchesTorchvisionLogits() throws Exception {
        VisionTransformer vit = GoldenWeights.fill(small());
        Tensor logits;
        try (var ng = Tensor.noGrad()) {
            logits = vit.forward(GoldenWeights.value("input", 2, 3, 32, 32));
        }
        assertArrayEquals(new int[] {2, 10}, logits.shape());
        GoldenFiles.assertCloseRelative("vit_small", GoldenFiles.values("transformer-golden.txt").get("vit_small"),
                logits.toFloatArray(), 1e-4);
    }

    @Test
    void newHeadIsZeroAndBackwardReachesEveryParameter() {
        VisionTransformer vit = small();
        Tensor x = Tensor.randn(new Generator(3), 2, 3, 32, 32);
        Tensor logits = vit.forward(x);
        assertArrayEquals(new float[20], logits.toFloatArray(), "torchvision initialises the head to zero");
        GoldenWeights.fill(vit).train();
        vit.forward(x).square().sum().backward();
        for (Map.Entry<String, Tensor> e : vit.namedParameters().entrySet()) {
            assertNotNull(e.getValue().grad(), e.getKey() + " got no gradient");
            float sum = 0;
            for (float g : e.getValue().grad().toFloatArray()) {
                assertTrue(Float.isFinite(g), e.getKey());
                sum += Math.abs(g);
            }
            assertTrue(sum > 0, e.getKey() + " has an all-zero gradient");
        }
    }

    @Test
    void encoderBlockPassesGradCheck() {
        VitEncoderBlock block = new VitEncoderBlock(2, 8, 12, 0.0, 0.0, new Generator(9));
        Tensor x = Tensor.randn(new Generator(4), 2, 3, 8);
        GradCheck.assertGradients(t -> block.forward(t[0]), x);
        ParameterGradCheck.assertParameterGradients(block, () -> block.forward(x));
    }

    @Test
    void legacyMlpNamesLoadThroughTheKeyMap() {
        Random.manualSeed(2);
        VisionTransformer source = small();
        Map<String, Tensor> legacy = new LinkedHashMap<>();
        source.stateDict().forEach((k, v) -> legacy.put(k.replace(".mlp.0.", ".mlp.linear_1.").replace(".mlp.3.",
                ".mlp.linear_2."), v));
        VisionTransformer target = new VisionTransformer(32, 8, 2, 4, 32, 64, 10, 0.0, 0.0, new Generator(6));
        TransferReport r = Pretrained.load(target, legacy,
                LoadOptions.builder().keyMap(VisionTransformer.legacyKeyMap()).strict(true).build());
        assertEquals(8, r.renamed().size(), r.summary());
        assertTrue(r.isComplete(), r.summary());
        assertArrayEquals(source.stateDict().get("encoder.layers.encoder_layer_1.mlp.3.weight").toFloatArray(),
                target.stateDict().get("encoder.layers.encoder_layer_1.mlp.3.weight").toFloatArray());
    }

    @Test
    void wrongImageSizeAndBadConfigurationsAreNamed() {
        VisionTransformer vit = small();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> vit.forward(Tensor.zeros(1, 3, 64, 64)));
        assertTrue(e.getMessage().contains("[N, 3, 32, 32]") && e.getMessage().contains("[1, 3, 64, 64]"), e.getMessage());
        IllegalArgumentException c = assertThrows(IllegalArgumentException.class,
                () -> new VisionTransformer(30, 8, 1, 2, 8, 8, 2));
        assertTrue(c.getMessage().contains("imageSize=30") && c.getMessage().contains("patchSize=8"), c.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new VisionTransformer(32, 8, 1, 3, 8, 8, 2));
    }
}
