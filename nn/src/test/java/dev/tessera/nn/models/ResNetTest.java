package dev.tessera.nn.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.DType;
import dev.tessera.Generator;
import dev.tessera.Tensor;
import dev.tessera.nn.Module;
import dev.tessera.nn.Random;
import dev.tessera.nn.io.SafeTensors;
import dev.tessera.nn.optim.SGD;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model zoo: ResNet-18/34 have torchvision's parameter counts and state-dict names and shapes,
 * run a forward pass on an ImageNet-sized image, and round-trip through safetensors; LeNet and the
 * small VGG build and produce logits of the right shape.
 */
class ResNetTest {

    @Test
    void resnet18HasTorchvisionParametersNamesAndShapes() {
        Random.manualSeed(0);
        ResNet net = ResNet.resnet18(1000);
        assertEquals(11_689_512L, net.parameterCount());
        Map<String, Tensor> sd = net.stateDict();
        assertEquals(122, sd.size(), "62 parameters + 60 buffers, as torchvision's state_dict");
        assertShape(sd, "conv1.weight", 64, 3, 7, 7);
        assertShape(sd, "bn1.weight", 64);
        assertShape(sd, "bn1.running_mean", 64);
        assertShape(sd, "bn1.running_var", 64);
        assertShape(sd, "bn1.num_batches_tracked");
        assertEquals(DType.INT32, sd.get("bn1.num_batches_tracked").dtype());
        assertShape(sd, "layer1.0.conv1.weight", 64, 64, 3, 3);
        assertShape(sd, "layer1.1.bn2.bias", 64);
        assertShape(sd, "layer2.0.conv1.weight", 128, 64, 3, 3);
        assertShape(sd, "layer2.0.downsample.0.weight", 128, 64, 1, 1);
        assertShape(sd, "layer2.0.downsample.1.running_var", 128);
        assertShape(sd, "layer3.1.conv2.weight", 256, 256, 3, 3);
        assertShape(sd, "layer4.0.downsample.1.num_batches_tracked");
        assertShape(sd, "layer4.1.bn2.running_mean", 512);
        assertShape(sd, "fc.weight", 1000, 512);
        assertShape(sd, "fc.bias", 1000);
        assertTrue(!sd.containsKey("layer1.0.downsample.0.weight"), "layer1 keeps the identity shortcut");
        assertEquals(((BasicBlock) net.get("layer3.0")).conv1().stride()[0], 2);
    }

    @Test
    void resnet34HasTorchvisionParameterCount() {
        ResNet net = ResNet.resnet34(1000);
        assertEquals(21_797_672L, net.parameterCount());
        assertEquals(218, net.stateDict().size());
        assertShape(net.stateDict(), "layer3.5.conv2.weight", 256, 256, 3, 3);
    }

    @Test
    void forwardOnImageNetSizedInputAndSafeTensorsRoundTrip(@TempDir Path dir) throws Exception {
        Random.manualSeed(1);
        ResNet net = ResNet.resnet18(10);
        net.eval();
        Tensor image = Tensor.rand(new Generator(2), 1, 3, 224, 224);
        Tensor logits;
        try (var ng = Tensor.noGrad()) {
            logits = net.forward(image);
        }
        assertArrayEquals(new int[] {1, 10}, logits.shape());
        for (float v : logits.toFloatArray()) {
            assertTrue(Float.isFinite(v), "logit " + v);
        }

        // Make the buffers non-trivial, then save, load into a fresh model and compare outputs.
        net.train();
        net.forward(Tensor.rand(new Generator(3), 2, 3, 64, 64));
        net.eval();
        Path file = dir.resolve("resnet18.safetensors");
        SafeTensors.save(net.stateDict(), file);
        assertTrue(Files.size(file) > net.parameterCount() * 4);
        Random.manualSeed(99);
        ResNet fresh = ResNet.resnet18(10);
        fresh.loadStateDict(SafeTensors.load(file));
        fresh.eval();
        Tensor small = Tensor.rand(new Generator(4), 2, 3, 64, 64);
        try (var ng = Tensor.noGrad()) {
            assertArrayEquals(net.forward(small).toFloatArray(), fresh.forward(small).toFloatArray());
        }
        assertEquals(1, fresh.stateDict().get("bn1.num_batches_tracked").toIntArray()[0]);
    }

    @Test
    void trainingStepUpdatesEveryParameter() {
        Random.manualSeed(5);
        ResNet net = new ResNet(new int[] {1, 1, 1, 1}, 3);
        Map<String, float[]> before = new java.util.LinkedHashMap<>();
        net.namedParameters().forEach((k, p) -> before.put(k, p.toFloatArray()));
        SGD sgd = new SGD(net.parameters(), 0.1f);
        sgd.zeroGrad();
        Tensor loss = net.forward(Tensor.rand(new Generator(5), 2, 3, 32, 32)).square().mean();
        loss.backward();
        sgd.step();
        assertEquals(3 + 4 * 6 + 3 * 3 + 2, net.namedParameters().size(), "conv1 and bn1, 4 blocks, 3 downsamples, fc");
        for (Map.Entry<String, Tensor> e : net.namedParameters().entrySet()) {
            assertNotNull(e.getValue().grad(), "no gradient for " + e.getKey());
            float[] old = before.get(e.getKey());
            float[] now = e.getValue().toFloatArray();
            float[] grad = e.getValue().grad().toFloatArray();
            boolean changed = false;
            for (int i = 0; i < now.length; i++) {
                assertEquals(old[i] - 0.1f * grad[i], now[i], 1e-6f + 1e-6f * Math.abs(old[i]), e.getKey() + "[" + i + "]");
                changed |= now[i] != old[i];
            }
            assertTrue(changed, "the step left " + e.getKey() + " unchanged");
        }
    }

    @Test
    void lenetAndVgg() {
        LeNet lenet = new LeNet(10);
        assertArrayEquals(new int[] {4, 10}, lenet.forward(Tensor.rand(new Generator(6), 4, 1, 28, 28)).shape());
        assertEquals(61_706L, lenet.parameterCount());
        assertArrayEquals(new int[] {6, 1, 5, 5}, lenet.stateDict().get("conv1.weight").shape());
        Module vgg = Vgg.small(10, 3);
        assertArrayEquals(new int[] {2, 10}, vgg.forward(Tensor.rand(new Generator(7), 2, 3, 32, 32)).shape());
        assertTrue(vgg.stateDict().containsKey("features.1.running_mean"));
        assertTrue(vgg.stateDict().containsKey("classifier.2.weight"));
    }

    @Test
    void smallestSizesBuildAndBadOnesAreNamed() {
        LeNet tiny = new LeNet(1, 1, 1, 1, 1);
        assertEquals(1, tiny.numClasses());
        assertArrayEquals(new int[] {2, 1}, tiny.forward(Tensor.rand(new Generator(8), 2, 1, 28, 28)).shape());
        ResNet one = new ResNet(new int[] {1, 1, 1, 1}, 1);
        assertEquals(1, one.numClasses());
        assertEquals(512 + 1, one.stateDict().get("fc.weight").numel() + one.stateDict().get("fc.bias").numel());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new LeNet(10, 6, 0, 120, 84));
        assertEquals("LeNet: sizes must be positive, got numClasses=10, c1=6, c2=0, h1=120, h2=84", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ResNet(null, 10));
        assertEquals("ResNet: needs 4 block counts and numClasses >= 1, got null and 10", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ResNet(new int[] {2, 2, 2, 2}, 0));
        assertEquals("ResNet: needs 4 block counts and numClasses >= 1, got [2, 2, 2, 2] and 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ResNet(new int[] {2, 0, 2, 2}, 10));
        assertEquals("ResNet: block counts must be >= 1, got [2, 0, 2, 2]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Vgg(new int[] {8, 0, Vgg.M}, false, 3, 10, 0.5));
        assertEquals("Vgg: configuration entries must be channel counts > 0 or Vgg.M, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Vgg(new int[] {Vgg.M}, false, 3, 10, 0.5));
        assertEquals("Vgg: the configuration has no convolution", e.getMessage());
    }

    @Test
    void vggWhoseLastConvolutionKeepsTheInputWidthBuilds() {
        Vgg vgg = new Vgg(new int[] {3, Vgg.M}, false, 3, 4, 0.5);
        assertEquals(3 * 3 * 3 * 3 + 3 + 3 * 4 + 4, vgg.parameterCount());
        assertArrayEquals(new int[] {2, 4}, vgg.forward(Tensor.rand(new Generator(9), 2, 3, 8, 8)).shape());
    }

    private static void assertShape(Map<String, Tensor> sd, String key, int... shape) {
        Tensor t = sd.get(key);
        assertNotNull(t, "missing " + key);
        assertArrayEquals(shape, t.shape(), key);
    }
}
