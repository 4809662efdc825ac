package dev.tessera.nn.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.Tensor;
import dev.tessera.nn.F;
import dev.tessera.nn.Module;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The torchvision-compatible models against PyTorch: with the deterministic weights of {@link
 * GoldenWeights} and a fixed input, each gives the logits that {@code golden/golden_zoo_cnn.py}'s
 * re-implementation of torchvision 0.14's architecture gives (checked there against torchvision),
 * within 1e-4 of the largest logit (the reference computed in float64); for Inception v3 also
 * with {@code transform_input}, and its auxiliary classifier at 299x299 in eval mode and, through
 * {@link Inception#outputs}, in training mode (batch statistics). Then a training step's
 * backward pass runs through the same model and reaches every parameter with finite gradients.
 */
class ZooGoldenTest {
    private static final double TOLERANCE = 1e-4;

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("resnet50", (Supplier<Module>) () -> ResNet.resnet50(10), new int[] {2, 3, 64, 64}),
                Arguments.of("inception_v3", (Supplier<Module>) () -> Inception.inceptionV3(10, true), new int[] {2, 3, 75, 75}),
                Arguments.of("inception_v3_transform", (Supplier<Module>) () -> Inception.inceptionV3(10, false, true),
                        new int[] {2, 3, 80, 77}),
                Arguments.of("mobilenet_v2", (Supplier<Module>) () -> MobileNet.mobilenetV2(10), new int[] {2, 3, 64, 64}),
                Arguments.of("efficientnet_b0", (Supplier<Module>) () -> EfficientNet.efficientnetB0(10),
                        new int[] {2, 3, 64, 64}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void evalLogitsMatchPyTorchAndBackwardRuns(String name, Supplier<Module> factory, int[] inputShape) throws IOException {
        Module model = GoldenWeights.fill(factory.get());
        Tensor input = GoldenWeights.value("input", inputShape);
        try (var ng = Tensor.noGrad()) {
            assertMatches(name, model.forward(input), TOLERANCE);
        }
        model.train();
        model.zeroGrad();
        Tensor logits = model.forward(input);
        F.crossEntropy(logits, Tensor.ofInts(new int[] {3, 7}, 2)).backward();
        assertGradients(name, model, "AuxLogits.");
    }

    @Test
    void vgg16BnLayoutLogitsAndBackward() throws IOException {
        // Built once (138M parameters): torchvision's layout with 1000 classes, then logits at 32x32, where the
        // adaptive pool spreads the 1x1 feature map over 7x7 as torchvision's does.
        Vgg model = Vgg.vgg16Bn(1000);
        ZooStructureTest.assertLayout("vgg16_bn", model);
        evalLogitsMatchPyTorchAndBackwardRuns("vgg16_bn", () -> model, new int[] {2, 3, 32, 32});
    }

    @Test
    void inceptionAuxLogitsMatchPyTorch() throws IOException {
        Inception model = GoldenWeights.fill(Inception.inceptionV3(10, true));
        Tensor input = GoldenWeights.value("input", 2, 3, 299, 299);
        try (var ng = Tensor.noGrad()) {
            // The auxiliary head in eval mode on the 17x17 map after Mixed_6e (torchvision's stem, stage by stage).
            Tensor x = input;
            for (String stage : List.of("Conv2d_1a_3x3", "Conv2d_2a_3x3", "Conv2d_2b_3x3", "maxpool1", "Conv2d_3b_1x1",
                    "Conv2d_4a_3x3", "maxpool2", "Mixed_5b", "Mixed_5c", "Mixed_5d", "Mixed_6a", "Mixed_6b", "Mixed_6c",
                    "Mixed_6d", "Mixed_6e")) {
                x = model.get(stage).forward(x);
            }
            assertArrayEquals(new int[] {2, 768, 17, 17}, x.shape());
            assertMatches("inception_v3_aux_eval", model.get("AuxLogits").forward(x), TOLERANCE);
            assertNull(model.outputs(input).auxLogits(), "no auxiliary logits in eval mode");
        }
        model.train();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> model.outputs(GoldenWeights.value("input", 2, 3, 75, 75)));
        assertTrue(e.getMessage().contains("17x17") && e.getMessage().contains("[2, 3, 75, 75]"), e.getMessage());
        InceptionOutputs out = model.outputs(input);
        // In training mode the head's last batch norm sees 2 values per channel (a 1x1 map): float32 rounding alone
        // moves these logits by ~1e-4 of their scale (PyTorch's float32 against its float64 reference), hence 1e-3.
        assertMatches("inception_v3_aux_train", out.auxLogits(), 1e-3);
        assertArrayEquals(new int[] {2, 10}, out.logits().shape());
        model.zeroGrad();
        F.crossEntropy(out.logits(), Tensor.ofInts(new int[] {1, 2}, 2))
                .add(F.crossEntropy(out.auxLogits(), Tensor.ofInts(new int[] {1, 2}, 2)).mul(0.4f)).backward();
        assertGradients("inception_v3 with aux", model, null);
    }

    /** Asserts that {@code logits} equal the reference logits {@code name} within {@code tolerance} of the largest one. */
    private static void assertMatches(String name, Tensor logits, double tolerance) throws IOException {
        float[] expected = reference().get(name);
        assertNotNull(expected, "no reference logits for " + name);
        assertEquals(2, logits.dim());
        float[] actual = logits.toFloatArray();
        assertEquals(expected.length, actual.length, name + ": number of logits");
        double scale = 0;
        for (float e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        assertTrue(scale > 0.1, name + ": the reference logits are not trivially small");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tolerance * scale, name + ": logit " + i);
        }
    }

    /** Every parameter (but those whose name starts with {@code skipped}) has a finite gradient, and some are non-zero. */
    private static void assertGradients(String name, Module model, String skipped) {
        double total = 0;
        for (Map.Entry<String, Tensor> e : model.namedParameters().entrySet()) {
            if (skipped != null && e.getKey().startsWith(skipped)) {
                continue;
            }
            Tensor g = e.getValue().grad();
            assertNotNull(g, name + ": no gradient for " + e.getKey());
            float s = g.abs().sum().item();
            assertTrue(Float.isFinite(s), name + ": gradient of " + e.getKey() + " is not finite");
            total += s;
        }
        assertTrue(total > 0, name + ": every gradient is zero");
    }

    /** Reads {@code golden/zoo-cnn-logits.txt}: one case a line, its name then its logits row-major. */
    private static Map<String, float[]> reference() throws IOException {
        Map<String, float[]> logits = new HashMap<>();
        try (InputStream in = ZooGoldenTest.class.getResourceAsStream("/golden/zoo-cnn-logits.txt")) {
            assertNotNull(in, "golden/zoo-cnn-logits.txt is missing from the test resources");
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] parts = line.trim().split(" ");
                float[] values = new float[parts.length - 1];
                for (int i = 1; i < parts.length; i++) {
                    values[i - 1] = Float.parseFloat(parts[i]);
                }
                logits.put(parts[0], values);
            }
        }
        return logits;
    }
}
