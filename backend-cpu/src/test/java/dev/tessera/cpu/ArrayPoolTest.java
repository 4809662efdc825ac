package dev.tessera.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.DType;
import dev.tessera.MemoryScope;
import dev.tessera.Tensor;
import dev.tessera.spi.Storage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The reuse of released CPU arrays ({@link ArrayPool}): a storage a memory scope released gives its
 * array to the next allocation of the same length, zero-filled, and only then; the released storage
 * refuses any use; untracked and short arrays are never taken in; the pool stays under its cap; and
 * no array is ever handed to two live storages, even with threads allocating and releasing at once.
 */
class ArrayPoolTest {
    private final CpuBackend cpu = CpuBackend.INSTANCE;

    @BeforeEach
    void emptyPool() {
        ArrayPool.clear();
    }

    @Test
    void aReleasedArrayServesTheNextAllocationOfItsLengthZeroFilled() {
        Storage first = cpu.allocate(DType.FLOAT32, 4096);
        float[] array = CpuStorage.floats(first);
        java.util.Arrays.fill(array, 7f);
        first.release();
        assertEquals(4L * 4096, ArrayPool.bytes());
        assertThrows(IllegalStateException.class, () -> CpuStorage.floats(first), "a released storage refuses use");

        assertNotSame(array, CpuStorage.floats(cpu.allocate(DType.FLOAT32, 4095)), "another length gets a new array");
        Storage second = cpu.allocate(DType.FLOAT32, 4096);
        assertSame(array, CpuStorage.floats(second), "the same length reuses the released array");
        for (float v : CpuStorage.floats(second)) {
            assertEquals(0f, v, "a reused array is zero-filled, as allocate() promises");
        }
        assertEquals(0, ArrayPool.bytes());
        assertNotSame(array, CpuStorage.floats(cpu.allocate(DType.FLOAT32, 4096)), "and is handed out once");
    }

    @Test
    void scopesFeedThePoolAndTheCachedBytesSayHowMuch() {
        float[] inScope;
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor t = Tensor.ones(64, 64);
            inScope = CpuStorage.floats(cpu.allocate(DType.FLOAT32, 64 * 64));
            assertEquals(64 * 64, t.toFloatArray().length);
        }
        assertEquals(2 * 4L * 64 * 64, cpu.memoryStats().bytesCached());
        Tensor next = Tensor.zeros(64, 64);
        assertEquals(0f, next.sum().item());
        float[] reused = CpuStorage.floats(cpu.allocate(DType.FLOAT32, 64 * 64));
        assertTrue(reused == inScope || cpu.memoryStats().bytesCached() == 0, "both arrays went back into use");
    }

    @Test
    void untrackedShortAndIntArraysAreNeverPooled() {
        UntrackedStorage.allocate(DType.FLOAT32, 8192).release();
        cpu.allocate(DType.FLOAT32, ArrayPool.MIN_LENGTH - 1).release();
        cpu.allocate(DType.INT32, 8192).release();
        float[] out = cpu.readFloats(new dev.tessera.spi.View(cpu.upload(new float[2048]), new int[] {2048},
                new int[] {1}, 0));
        assertEquals(2048, out.length);
        assertEquals(0, ArrayPool.bytes(), "only arrays the backend allocated for one storage are reused");
    }

    @Test
    void thePoolKeepsUnderItsCap() {
        int length = 1 << 20; // 4 MiB each
        long most = ArrayPool.CAP_BYTES / (4L * length);
        List<Storage> many = new ArrayList<>();
        for (long i = 0; i < most + 3; i++) {
            many.add(cpu.allocate(DType.FLOAT32, length));
        }
        many.forEach(Storage::release);
        assertEquals(most * 4L * length, ArrayPool.bytes());
        ArrayPool.clear();
        assertEquals(0, cpu.memoryStats().bytesCached());
    }

    @Test
    void threadsNeverShareAnArray() throws InterruptedException {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            float mark = t + 1;
            Thread th = new Thread(() -> {
                try {
                    for (int round = 0; round < 2000; round++) {
                        Storage s = cpu.allocate(DType.FLOAT32, 2048 + (round % 3));
                        float[] a = CpuStorage.floats(s);
                        java.util.Arrays.fill(a, mark);
                        Thread.yield();
                        for (float v : a) {
                            if (v != mark) {
                                throw new AssertionError("array shared by two live storages: found " + v + ", wrote " + mark);
                            }
                        }
                        s.release();
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) {
            th.join();
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
    }
}
