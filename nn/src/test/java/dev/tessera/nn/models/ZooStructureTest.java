package dev.tessera.nn.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.tessera.DType;
import dev.tessera.Tensor;
import dev.tessera.nn.Module;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The torchvision-compatible builders against torchvision 0.14's layouts: with 1000 classes, each
 * model's state-dict keys (in order), shapes and parameter count equal those that {@code
 * golden/golden_zoo_cnn.py} wrote to {@code golden/zoo-cnn-keys.txt} from its PyTorch
 * re-implementation of torchvision's architecture (checked there against torchvision itself).
 * {@code vgg16_bn} is checked by {@link ZooGoldenTest}.
 */
class ZooStructureTest {
    /** One model's reference: parameter count and the ordered key -> shape list. */
    record Layout(long parameters, Map<String, int[]> entries) {
    }

    static Stream<Arguments> models() {
        return Stream.of(
                Arguments.of("resnet50", (Supplier<Module>) () -> ResNet.resnet50(1000)),
                Arguments.of("resnet101", (Supplier<Module>) () -> ResNet.resnet101(1000)),
                Arguments.of("resnet152", (Supplier<Module>) () -> ResNet.resnet152(1000)),
                Arguments.of("vgg16", (Supplier<Module>) () -> Vgg.vgg16(1000)),
                Arguments.of("inception_v3", (Supplier<Module>) () -> Inception.inceptionV3(1000, true)),
                Arguments.of("inception_v3_noaux", (Supplier<Module>) () -> Inception.inceptionV3(1000, false)),
                Arguments.of("mobilenet_v2", (Supplier<Module>) () -> MobileNet.mobilenetV2(1000)),
                Arguments.of("efficientnet_b0", (Supplier<Module>) () -> EfficientNet.efficientnetB0(1000)));
    }

    /** VGG-16-BN (138M parameters) is checked by {@link ZooGoldenTest}, which builds it once for logits as well. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void stateDictEqualsTorchvision(String name, Supplier<Module> builder) throws IOException {
        assertLayout(name, builder.get());
    }

    /** Asserts that {@code model}'s state dict and parameter count equal the reference layout {@code name}. */
    static void assertLayout(String name, Module model) throws IOException {
        Layout expected = reference().get(name);
        assertNotNull(expected, "no reference layout for " + name);
        Map<String, Tensor> sd = model.stateDict();
        assertEquals(new ArrayList<>(expected.entries().keySet()), new ArrayList<>(sd.keySet()), name + ": keys in order");
        for (Map.Entry<String, int[]> e : expected.entries().entrySet()) {
            Tensor t = sd.get(e.getKey());
            assertArrayEquals(e.getValue(), t.shape(), name + ": shape of " + e.getKey());
            if (e.getKey().endsWith("num_batches_tracked")) {
                assertEquals(DType.INT32, t.dtype(), e.getKey());
            }
        }
        assertEquals(expected.parameters(), model.parameterCount(), name + ": parameter count");
    }

    /** Reads {@code golden/zoo-cnn-keys.txt}. */
    static Map<String, Layout> reference() throws IOException {
        Map<String, Layout> layouts = new LinkedHashMap<>();
        try (InputStream in = ZooStructureTest.class.getResourceAsStream("/golden/zoo-cnn-keys.txt")) {
            assertNotNull(in, "golden/zoo-cnn-keys.txt is missing from the test resources");
            String name = null;
            long count = 0;
            Map<String, int[]> entries = null;
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.startsWith("## ")) {
                    if (name != null) {
                        layouts.put(name, new Layout(count, entries));
                    }
                    String[] parts = line.substring(3).trim().split(" ");
                    name = parts[0];
                    count = Long.parseLong(parts[1]);
                    entries = new LinkedHashMap<>();
                } else if (!line.isBlank() && !line.startsWith("#")) {
                    String[] parts = line.trim().split(" ");
                    entries.put(parts[0], parts[1].equals("-") ? new int[0] : parse(parts[1]));
                }
            }
            if (name != null) {
                layouts.put(name, new Layout(count, entries));
            }
        }
        return layouts;
    }

    private static int[] parse(String dims) {
        List<Integer> out = new ArrayList<>();
        for (String d : dims.split(",")) {
            out.add(Integer.parseInt(d));
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }
}
