package dev.tessera.nn.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.Tensor;
import dev.tessera.nn.Module;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The model zoo against PyTorch: each model, with the deterministic weights of {@link
 * GoldenWeights} and a fixed input, gives the logits that torchvision's (ResNet-18) or an
 * equivalent hand-written PyTorch module (LeNet, VGG) gives for the same weights and input, within
 * 1e-4 of the largest logit. The reference logits are in {@code golden/model-logits.txt}, written
 * by {@code golden/golden_models.py}.
 */
class ModelGoldenTest {
    private static final double TOLERANCE = 1e-4;

    static Stream<Arguments> models() {
        return Stream.of(
                Arguments.of("lenet", (Supplier<Module>) () -> new LeNet(10), new int[] {2, 1, 28, 28}),
                Arguments.of("vgg_small", (Supplier<Module>) () -> Vgg.small(10, 3), new int[] {2, 3, 32, 32}),
                Arguments.of("vgg_bias", (Supplier<Module>) () -> new Vgg(new int[] {8, Vgg.M, 16, Vgg.M}, false, 3, 10, 0.5),
                        new int[] {2, 3, 16, 16}),
                Arguments.of("resnet18", (Supplier<Module>) () -> ResNet.resnet18(10), new int[] {2, 3, 32, 32}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void logitsMatchPyTorch(String name, Supplier<Module> factory, int[] inputShape) throws IOException {
        float[] expected = reference().get(name);
        assertNotNull(expected, "no reference logits for " + name);
        Module model = GoldenWeights.fill(factory.get());
        float[] actual;
        try (var ng = Tensor.noGrad()) {
            Tensor logits = model.forward(GoldenWeights.value("input", inputShape));
            assertEquals(2, logits.dim());
            assertEquals(inputShape[0], logits.size(0));
            actual = logits.toFloatArray();
        }
        assertEquals(expected.length, actual.length, name + ": number of logits");
        double scale = 0;
        for (float e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        assertTrue(scale > 0.5, name + ": the reference logits are not trivially small");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], TOLERANCE * scale, name + ": logit " + i);
        }
    }

    /** Reads {@code golden/model-logits.txt}: one model a line, its name then its logits row-major. */
    private static Map<String, float[]> reference() throws IOException {
        Map<String, float[]> logits = new HashMap<>();
        try (InputStream in = ModelGoldenTest.class.getResourceAsStream("/golden/model-logits.txt")) {
            assertNotNull(in, "golden/model-logits.txt is missing from the test resources");
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
