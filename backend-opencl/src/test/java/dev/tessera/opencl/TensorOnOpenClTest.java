package dev.tessera.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.DType;
import dev.tessera.Device;
import dev.tessera.Generator;
import dev.tessera.MemoryScope;
import dev.tessera.MemoryStats;
import dev.tessera.SettledMemory;
import dev.tessera.Tensor;
import dev.tessera.spi.Storage;
import dev.tessera.spi.View;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Tensor ops through core on opencl:0 against the CPU, memory accounting, device copies and concurrent use. */
class TensorOnOpenClTest {
    private static Tensor both(Tensor cpu) {
        return cpu.to(ClTestDevice.device());
    }

    @Test
    void aSmallNetworkForwardAndBackwardMatchCpu() {
        ClTestDevice.backend();
        Generator g = new Generator(3);
        Tensor x = Tensor.randn(g, 5, 7);
        Tensor w = Tensor.randn(g, 4, 7);
        Tensor b = Tensor.randn(g, 4);
        int[] labels = {0, 3, 1, 2, 3};
        float[][] results = new float[2][];
        float[][] grads = new float[2][];
        for (int side = 0; side < 2; side++) {
            Device d = side == 0 ? Device.cpu() : ClTestDevice.device();
            Tensor wd = Tensor.of(d, w.toFloatArray(), 4, 7).requiresGrad(true);
            Tensor h = x.to(d).matmul(wd.t()).add(b.to(d)).tanh().logSoftmax(1);
            Tensor picked = h.gather(1, Tensor.ofInts(d, labels, 5, 1));
            Tensor loss = picked.mean().neg();
            loss.backward();
            results[side] = new float[] {loss.item()};
            grads[side] = wd.grad().toFloatArray();
        }
        SpiPair.assertClose(results[0], results[1], 1e-5f, 1e-6f, "loss");
        SpiPair.assertClose(grads[0], grads[1], 1e-4f, 1e-6f, "weight gradient");
    }

    @Test
    void reductionsAndArgmaxThroughCore() {
        ClTestDevice.backend();
        Tensor x = Tensor.randn(new Generator(4), 3, 300, 5);
        Tensor o = both(x);
        SpiPair.assertClose(x.sum(1, false).toFloatArray(), o.sum(1, false).toFloatArray(), 1e-5f, 1e-4f, "sum");
        SpiPair.assertClose(x.max(2, true).toFloatArray(), o.max(2, true).toFloatArray(), "max");
        assertArrayEquals(x.argmax(1).toIntArray(), o.argmax(1).toIntArray());
        SpiPair.assertClose(x.softmax(1).toFloatArray(), o.softmax(1).toFloatArray(), 1e-4f, 1e-7f, "softmax");
        SpiPair.assertClose(x.permute(2, 0, 1).contiguous().toFloatArray(), o.permute(2, 0, 1).contiguous().toFloatArray(),
                "permute");
    }

    @Test
    void emptyTensorsWork() {
        ClTestDevice.backend();
        Tensor e = Tensor.zeros(ClTestDevice.device(), 0, 4);
        assertEquals(0, e.add(1f).exp().toFloatArray().length);
        assertArrayEquals(new float[] {0, 0, 0, 0}, e.sum(0, false).toFloatArray());
        assertEquals(0, e.t().matmul(Tensor.zeros(ClTestDevice.device(), 0, 2)).sum().item());
    }

    @Test
    void memoryScopesReleaseBuffersAndTheLedgerCountsThem() {
        OpenClBackend b = ClTestDevice.backend();
        b.synchronize();
        // Settled first, so that the cleaner does not free earlier garbage between the two readings.
        MemoryStats before = SettledMemory.of(ClTestDevice.device());
        Tensor kept;
        Tensor dropped;
        try (MemoryScope scope = MemoryScope.open()) {
            dropped = Tensor.ones(ClTestDevice.device(), 100).mul(2f);
            kept = scope.keep(dropped.add(1f));
            assertTrue(ClTestDevice.device().memoryStats().liveBuffers() >= before.liveBuffers() + 3);
        }
        MemoryStats after = ClTestDevice.device().memoryStats();
        assertEquals(before.liveBuffers() + 1, after.liveBuffers(), "only the kept tensor remains");
        assertEquals(before.bytesInUse() + 400, after.bytesInUse());
        assertArrayEquals(new float[] {3, 3}, kept.slice(0, 0, 2).toFloatArray());
        assertThrows(IllegalStateException.class, dropped::toFloatArray);
        Storage s = b.allocate(DType.FLOAT32, 5);
        s.release();
        s.release(); // idempotent
        assertThrows(IllegalStateException.class, () -> b.readFloats(new View(s, new int[] {5}, new int[] {1}, 0)));
    }

    @Test
    void copyToTheSameDeviceStaysOnTheDevice() {
        OpenClBackend b = ClTestDevice.backend();
        Storage src = b.upload(new float[] {1, 2, 3, 4, 5, 6});
        Storage copy = b.copyTo(new View(src, new int[] {3, 2}, new int[] {1, 3}, 0), b);
        assertTrue(b.owns(copy));
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, b.readFloats(new View(copy, new int[] {6}, new int[] {1}, 0)));
        Storage toCpu = b.copyTo(new View(src, new int[] {2}, new int[] {2}, 1), ClTestDevice.cpu());
        assertArrayEquals(new float[] {2, 4}, ClTestDevice.cpu().readFloats(new View(toCpu, new int[] {2}, new int[] {1}, 0)));
    }

    @Test
    void fourThreadsGetTheResultsOfOne() throws Exception {
        ClTestDevice.backend();
        Generator g = new Generator(9);
        Tensor w = Tensor.randn(g, 32, 48).to(ClTestDevice.device());
        List<Tensor> inputs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            inputs.add(Tensor.randn(g, 16, 32).to(ClTestDevice.device()));
        }
        List<float[]> alone = new ArrayList<>();
        for (Tensor x : inputs) {
            alone.add(x.matmul(w).relu().softmax(1).sum(0, false).toFloatArray());
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 5; round++) {
                List<Future<float[]>> futures = new ArrayList<>();
                for (Tensor x : inputs) {
                    futures.add(pool.submit(() -> x.matmul(w).relu().softmax(1).sum(0, false).toFloatArray()));
                }
                for (int i = 0; i < 4; i++) {
                    assertArrayEquals(alone.get(i), futures.get(i).get(), "thread " + i + " round " + round);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
