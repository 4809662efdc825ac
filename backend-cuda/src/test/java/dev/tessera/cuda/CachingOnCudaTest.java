package dev.tessera.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.Device;
import dev.tessera.Generator;
import dev.tessera.MemoryScope;
import dev.tessera.MemoryStats;
import dev.tessera.SettledMemory;
import dev.tessera.Tensor;
import org.junit.jupiter.api.Test;

/** The caching allocator on a real GPU: steps stop allocating, cached bytes are reported and can be freed, OOM explains itself. */
class CachingOnCudaTest {
    /** One step of a small MLP's forward and backward pass inside a scope; returns the loss. */
    private static float step(Device d, Generator g, Tensor w1, Tensor w2) {
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor x = Tensor.randn(g, d, 64, 784);
            Tensor loss = x.matmul(w1).relu().matmul(w2).pow(2f).mean();
            loss.backward();
            return loss.item();
        }
    }

    @Test
    void aRepeatedStepStopsAskingTheDriverForMemory() {
        CudaBackend b = CudaTestDevice.backend();
        Device d = CudaTestDevice.device();
        Generator g = new Generator(1);
        Tensor w1 = Tensor.randn(g, d, 784, 256).requiresGrad(true);
        Tensor w2 = Tensor.randn(g, d, 256, 10).requiresGrad(true);
        step(d, g, w1, w2);
        step(d, g, w1, w2);
        long after2 = b.allocator().deviceAllocations();
        for (int i = 0; i < 5; i++) {
            step(d, g, w1, w2);
        }
        assertEquals(after2, b.allocator().deviceAllocations(), "steps 3 to 7 were served from the cache");
        assertTrue(d.memoryStats().bytesCached() > 0, d.memoryStats().toString());
    }

    @Test
    void releasedMemoryIsCachedAndEmptyCacheHandsItBack() {
        CudaBackend b = CudaTestDevice.backend();
        Device d = CudaTestDevice.device();
        b.emptyCache();
        MemoryStats before = SettledMemory.of(d);
        b.emptyCache();
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor t = Tensor.zeros(d, 1000, 1000); // 4,000,000 bytes: class 4,194,304
            assertEquals(before.bytesInUse() + 4_000_000L, d.memoryStats().bytesInUse());
            assertEquals(0f, t.sum().item());
        }
        MemoryStats after = d.memoryStats();
        assertEquals(before.bytesInUse(), after.bytesInUse(), after.toString());
        assertTrue(after.bytesCached() >= SizeClasses.classOf(4_000_000L), after.toString());
        assertTrue(b.emptyCache() >= SizeClasses.classOf(4_000_000L));
        assertEquals(0, d.memoryStats().bytesCached());
    }

    @Test
    void outOfMemorySaysWhatWasAskedInUseAndCached() {
        CudaBackend b = CudaTestDevice.backend();
        long total = b.totalMemory();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> b.allocator().allocate(2 * total));
        String m = e.getMessage();
        assertTrue(m.startsWith(CudaTestDevice.device() + ": out of device memory: asked for "), m);
        assertTrue(m.contains(" in use by ") && m.contains(" were cached and have been freed") && m.contains(" free of "), m);
        Tensor t = Tensor.ones(CudaTestDevice.device(), 10);
        assertEquals(10f, t.sum().item(), "the device still works");
    }
}
