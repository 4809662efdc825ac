package dev.tessera.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.CountingBackend;
import dev.tessera.Device;
import dev.tessera.Generator;
import dev.tessera.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The constants nn builds (masks, scales, ranges, loss terms) are made on the input's device and
 * cached where they are reused: on a device whose backend counts host uploads, a second training
 * step of a positional encoding, a transformer encoder layer and multi-head attention with causal
 * and padding masks, a cross-entropy with label smoothing and ignored targets, and a one-hot
 * encoding uploads nothing; the results equal the CPU's bit for bit.
 */
class DeviceConstantsTest {

    /** The modules of one step, built from fixed seeds. */
    private record Model(PositionalEncoding pe, TransformerEncoderLayer layer, MultiheadAttention mha) {
        static Model build() {
            Random.manualSeed(1234);
            return new Model(new PositionalEncoding(8, 16, 0.1, false),
                    new TransformerEncoderLayer(8, 2, 16, 0.1, TransformerActivation.RELU, 1e-5, false, false, new Generator(3)),
                    new MultiheadAttention(8, 2, 0.1, true, false, new Generator(5)));
        }

        void to(Device d) {
            pe.to(d);
            layer.to(d);
            mha.to(d);
        }

        /** One training step on {@code d}; returns the loss, the output and a gradient, on the host. */
        List<float[]> step(Device d) {
            Tensor x = Tensor.randn(new Generator(1), d, 5, 3, 8); // [S, N, E]
            Tensor padding = Tensor.of(d, new float[] {0, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0}, 3, 5);
            Tensor targets = Tensor.ofInts(d, new int[] {1, 2, 3, 0, 7, 2, 2, 5, 6, 4, 1, 0, 3, 3, 2}, 15);
            Tensor h = pe.forward(x);
            h = layer.forward(h, AttentionMask.causal(), AttentionMask.block(padding));
            Tensor out = mha.forward(h, h, h, AttentionMask.block(padding), AttentionMask.causal(), true).output();
            Tensor logits = out.reshape(15, 8);
            Tensor loss = F.crossEntropy(logits, targets, Reduction.MEAN, 2, 0.1f)
                    .add(logits.mul(F.oneHot(targets, 8)).sum().mul(0.01f));
            loss.backward();
            return List.of(loss.toFloatArray(), out.toFloatArray(), mha.inProjWeight().grad().toFloatArray());
        }
    }

    @Test
    void aSecondStepUploadsNothingAndMatchesTheCpu() {
        Model cpuModel = Model.build();
        List<float[]> cpu = new ArrayList<>();
        cpuModel.step(Device.cpu());
        cpu.addAll(cpuModel.step(Device.cpu()));

        try (CountingBackend dev = new CountingBackend(Device.opencl(3), false).install()) {
            Model model = Model.build();
            model.to(dev.device());
            model.step(dev.device());
            int afterFirst = dev.uploads();
            List<float[]> second = model.step(dev.device());
            // The step's own inputs (x, padding, targets) are 3 uploads; nn itself adds none.
            assertEquals(afterFirst + 3, dev.uploads(), "uploads during the second step beyond its three inputs");
            for (int i = 0; i < cpu.size(); i++) {
                assertArrayEquals(cpu.get(i), second.get(i), "result " + i + " equals the CPU's bit for bit");
            }
        }
    }

    @Test
    void aConvNetOnTheComposedDefaultsUploadsItsIndexTablesOnce() {
        // A backend without fused kernels: convolution and pooling run the SPI's composed defaults.
        try (CountingBackend dev = new CountingBackend(Device.opencl(3), true).install()) {
            Random.manualSeed(99);
            Sequential net = new Sequential(new Conv2d(2, 4, 3, 1, 1), new BatchNorm2d(4), new ReLU(), new MaxPool2d(2),
                    new AvgPool2d(2, 1, 1), new Flatten(), new Linear(4 * 3 * 3, 1));
            net.to(dev.device());
            float[] losses = new float[2];
            int[] uploads = new int[2];
            for (int step = 0; step < 2; step++) {
                int before = dev.uploads();
                Tensor x = Tensor.randn(new Generator(7), dev.device(), 3, 2, 4, 4);
                Tensor t = Tensor.of(dev.device(), new float[] {1, 0, 1}, 3, 1);
                Tensor loss = F.binaryCrossEntropyWithLogits(net.forward(x), t).add(F.mseLoss(x.mean(), x.sum().mul(0f)));
                loss.backward();
                losses[step] = loss.item();
                uploads[step] = dev.uploads() - before;
            }
            assertEquals(2, uploads[1], "the second step uploads only its two inputs (the first: " + uploads[0] + ")");
            assertTrue(uploads[0] > 2, "the first step uploads the index tables");
            assertTrue(Float.isFinite(losses[1]));
        }
    }

    @Test
    void causalMasksKeepTheirBits() {
        float b = AttentionMask.BLOCKED;
        // cols.gt(rows) * BLOCKED: allowed pairs hold 0 * BLOCKED = -0.0, as before the cache.
        float[] expected = {-0f, b, b, b, -0f, -0f, b, b, -0f, -0f, -0f, b};
        float[] bias = Constants.causalBias(Device.cpu(), 3, 4).toFloatArray();
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(bias[i]), "element " + i);
        }
        float inf = Float.NEGATIVE_INFINITY;
        assertArrayEquals(new float[] {0, inf, inf, 0, 0, inf, 0, 0, 0}, F.causalMask(3).toFloatArray());
        assertArrayEquals(F.causalMask(3).toFloatArray(), F.causalMask(Device.cpu(), 3).toFloatArray());
        assertArrayEquals(PositionalEncoding.table(6, 4).toFloatArray(), PositionalEncoding.table(Device.cpu(), 6, 4).toFloatArray());
    }

    /** A cached nn constant: its name and how to get it for a device and a size. */
    record Cached(String name, BiFunction<Device, Integer, Tensor> get) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Cached> caches() {
        return Stream.of(new Cached("arange", Constants::arange),
                new Cached("causal bias", (d, n) -> Constants.causalBias(d, n, n + 1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("caches")
    void sameKeySameTensorAndBounded(Cached c) {
        try (CountingBackend dev = new CountingBackend(Device.opencl(4), false).install()) {
            Tensor t = c.get().apply(dev.device(), 5);
            assertEquals(dev.device(), t.device());
            int uploads = dev.uploads();
            assertSame(t, c.get().apply(dev.device(), 5), "the same device and size give the same tensor");
            assertEquals(uploads, dev.uploads(), "a hit uploads nothing");
            Tensor onCpu = c.get().apply(Device.cpu(), 5);
            assertNotSame(t, onCpu, "each device has its own");
            assertArrayEquals(onCpu.toFloatArray(), t.to(Device.cpu()).toFloatArray());
            for (int n = 0; n < 40; n++) {
                c.get().apply(Device.cpu(), n);
                assertTrue(Constants.CACHE.size() <= Constants.CACHE.capacity(), Constants.CACHE.toString());
            }
            assertEquals(Constants.CACHE.capacity(), Constants.CACHE.size());
        }
    }
}
