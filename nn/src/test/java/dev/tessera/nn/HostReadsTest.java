package dev.tessera.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.CountingBackend;
import dev.tessera.Device;
import dev.tessera.Generator;
import dev.tessera.Tensor;
import dev.tessera.nn.optim.GradClip;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The losses, the one-hot encoding, batch normalisation and gradient clipping read nothing back to
 * the host on a device other than the CPU (a backend that counts reads stands in for a GPU), and
 * give the CPU's results there bit for bit; bad targets, labels and probabilities are still
 * rejected there, by the backend's index check.
 */
class HostReadsTest {
    /** A fresh device index per use: nn caches constants per device, and each install is a new backend. */
    private static final AtomicInteger NEXT = new AtomicInteger(40);

    private static CountingBackend install() {
        return new CountingBackend(Device.opencl(NEXT.getAndIncrement()), false).install();
    }

    /** A computation on one device; returns the tensors to compare, read only after counting. */
    private record Case(String name, Function<Device, List<Tensor>> run) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Tensor logits(Device d, int n, int c) {
        return Tensor.randn(new Generator(7), d, n, c).requiresGrad(true);
    }

    private static List<Tensor> lossAndGrad(Tensor loss, Tensor input) {
        loss.backward();
        return List.of(loss, input.grad());
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("crossEntropy with ignored targets and class weights", d -> {
                    Tensor x = logits(d, 6, 5);
                    Tensor t = Tensor.ofInts(d, new int[] {0, -100, 4, 2, -100, 1}, 6);
                    Tensor w = Tensor.of(d, new float[] {1f, 2f, 0.5f, 1f, 3f}, 5);
                    return lossAndGrad(new CrossEntropyLoss(w, Reduction.MEAN, -100, 0f).forward(x, t), x);
                }),
                new Case("crossEntropy with an ignore index inside [0, C) and label smoothing", d -> {
                    Tensor x = logits(d, 6, 5);
                    Tensor t = Tensor.ofInts(d, new int[] {0, 3, 4, 2, 3, 1}, 6);
                    return lossAndGrad(F.crossEntropy(x, t, Reduction.MEAN, 3, 0.2f), x);
                }),
                new Case("crossEntropy with every target ignored (NaN)", d -> {
                    Tensor x = logits(d, 3, 4);
                    return List.of(F.crossEntropy(x, Tensor.ofInts(d, new int[] {-1, -1, -1}, 3), Reduction.MEAN, -1, 0f));
                }),
                new Case("nllLoss, sum, nothing ignored", d -> {
                    Tensor x = logits(d, 4, 3);
                    Tensor t = Tensor.ofInts(d, new int[] {2, 0, 1, 2}, 4);
                    return lossAndGrad(F.nllLoss(x.logSoftmax(1), t, Reduction.SUM), x);
                }),
                new Case("oneHot", d -> List.of(F.oneHot(Tensor.ofInts(d, new int[] {3, 0, 2, 2}, 2, 2), 4))),
                new Case("binaryCrossEntropy", d -> {
                    Tensor p = Tensor.rand(new Generator(3), d, 3, 4).requiresGrad(true);
                    Tensor t = Tensor.rand(new Generator(4), d, 3, 4);
                    return lossAndGrad(F.binaryCrossEntropy(p, t), p);
                }),
                new Case("Embedding", d -> {
                    Embedding e = new Embedding(5, 3, new Generator(8));
                    e.to(d);
                    Tensor out = e.forward(Tensor.ofInts(d, new int[] {4, 0, 4, 2}, 2, 2));
                    out.square().sum().backward();
                    return List.of(out, e.weight().grad());
                }),
                new Case("BatchNorm1d, cumulative average (momentum null)", d -> batchNorm(d, null)),
                new Case("BatchNorm1d, momentum 0.1", d -> batchNorm(d, 0.1)),
                new Case("clipGradNormTensor, clipping", d -> clip(d, 0.5f, 2f)),
                new Case("clipGradNormTensor, not clipping", d -> clip(d, 1e6f, 2f)),
                new Case("clipGradNormTensor, infinity norm", d -> clip(d, 0.5f, Float.POSITIVE_INFINITY)),
                new Case("clipGradNormTensor, 3-norm", d -> clip(d, 0.5f, 3f)));
    }

    /** Three training steps of a batch norm; returns the outputs and the running statistics. */
    private static List<Tensor> batchNorm(Device d, Double momentum) {
        BatchNorm1d bn = new BatchNorm1d(3, 1e-5, momentum, true, true);
        bn.to(d);
        List<Tensor> out = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            out.add(bn.forward(Tensor.randn(new Generator(10 + i), d, 4, 3)));
        }
        out.add(bn.runningMean());
        out.add(bn.runningVar());
        return out;
    }

    /** Clips the gradients of two parameters; returns the norm and the gradients. */
    private static List<Tensor> clip(Device d, float maxNorm, float normType) {
        Tensor a = Tensor.randn(new Generator(1), d, 3, 2).requiresGrad(true);
        Tensor b = Tensor.randn(new Generator(2), d, 4).requiresGrad(true);
        a.square().sum().add(b.pow(3f).sum()).backward();
        Tensor norm = GradClip.clipGradNormTensor(List.of(a, b), maxNorm, normType);
        return List.of(norm, a.grad(), b.grad());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void readsNothingOffTheCpuAndMatchesTheCpu(Case c) {
        List<float[]> expected = c.run.apply(Device.cpu()).stream().map(Tensor::toFloatArray).toList();
        try (CountingBackend dev = install()) {
            List<Tensor> results = c.run.apply(dev.device());
            assertEquals(0, dev.reads(), c + ": reads back to the host " + dev.readSummary());
            for (int i = 0; i < expected.size(); i++) {
                assertArrayEquals(expected.get(i), results.get(i).toFloatArray(), c + ": result " + i);
            }
        }
    }

    @Test
    void theFloatClipGradNormReadsOnceAndAgreesWithTheTensorVariant() {
        List<Tensor> expected = clip(Device.cpu(), 0.5f, 2f);
        try (CountingBackend dev = install()) {
            Tensor a = Tensor.randn(new Generator(1), dev.device(), 3, 2).requiresGrad(true);
            Tensor b = Tensor.randn(new Generator(2), dev.device(), 4).requiresGrad(true);
            a.square().sum().add(b.pow(3f).sum()).backward();
            float norm = GradClip.clipGradNorm(List.of(a, b), 0.5f);
            assertEquals(1, dev.reads(), "the float variant reads the norm once");
            assertEquals(expected.get(0).item(), norm);
            assertArrayEquals(expected.get(1).toFloatArray(), a.grad().toFloatArray());
        }
    }

    @Test
    void badTargetsLabelsAndProbabilitiesAreStillRejectedOnTheDevice() {
        try (CountingBackend dev = install()) {
            Device d = dev.device();
            Tensor x = logits(d, 3, 5);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> F.crossEntropy(x, Tensor.ofInts(d, new int[] {1, 7, -100}, 3)));
            assertTrue(e.getMessage().contains("index 7 ") && e.getMessage().contains("size 5"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> F.crossEntropy(x, Tensor.ofInts(d, new int[] {1, -3, 0}, 3)));
            assertTrue(e.getMessage().contains("index -3 ") && e.getMessage().contains("size 5"), e.getMessage());

            e = assertThrows(IllegalArgumentException.class, () -> F.oneHot(Tensor.ofInts(d, new int[] {0, 4}, 2), 4));
            assertTrue(e.getMessage().contains("index 4 ") && e.getMessage().contains("size 4"), e.getMessage());

            Tensor half = Tensor.full(d, 0.5f, 2, 2);
            Tensor bad = Tensor.of(d, new float[] {0.5f, 0.5f, 0.5f, 1.5f}, 2, 2);
            e = assertThrows(IllegalArgumentException.class, () -> F.binaryCrossEntropy(bad, half));
            assertTrue(e.getMessage().contains("index 1 ") && e.getMessage().contains("size 1"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> F.binaryCrossEntropy(half, bad));
            assertTrue(e.getMessage().contains("index 2 ") && e.getMessage().contains("size 1"), e.getMessage());
            Tensor nan = Tensor.of(d, new float[] {0.5f, Float.NaN, 0.5f, 0.5f}, 2, 2);
            e = assertThrows(IllegalArgumentException.class, () -> F.binaryCrossEntropy(nan, nan));
            assertTrue(e.getMessage().contains("index 3 "), e.getMessage());
            assertEquals(0, dev.reads(), "rejected without a read back to the host: " + dev.readSummary());

            // An embedding reads its indices only once the backend has refused one, to name it.
            Embedding emb = new Embedding(5, 3);
            emb.to(d);
            e = assertThrows(IllegalArgumentException.class, () -> emb.forward(Tensor.ofInts(d, new int[] {1, 9}, 2)));
            assertTrue(e.getMessage().contains("index 9 (at flat position 1) is out of range for 5 embeddings"),
                    e.getMessage());
        }
    }
}
