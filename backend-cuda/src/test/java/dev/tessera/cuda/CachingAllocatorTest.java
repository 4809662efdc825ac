package dev.tessera.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The caching allocator's logic against a fake device memory with a capacity (no GPU needed). */
class CachingAllocatorTest {
    /** A device of {@code capacity} bytes: hands out numbered pointers, refuses what does not fit. */
    static final class FakeMemory implements DeviceMemory<Long> {
        final long capacity;
        final Map<Long, Long> live = new HashMap<>();
        long used;
        long next = 1;
        int allocations;
        int frees;
        int quiesced;

        FakeMemory(long capacity) {
            this.capacity = capacity;
        }

        @Override
        public Long allocate(long bytes) {
            if (used + bytes > capacity) {
                return null;
            }
            allocations++;
            used += bytes;
            live.put(next, bytes);
            return next++;
        }

        @Override
        public void quiesce() {
            quiesced++;
        }

        @Override
        public void free(Long pointer) {
            Long bytes = live.remove(pointer);
            if (bytes == null) {
                throw new AssertionError("double or foreign free of " + pointer);
            }
            frees++;
            used -= bytes;
        }

        @Override
        public String describe() {
            return (capacity - used) + " bytes free of " + capacity;
        }
    }

    @Test
    void aReleasedBlockServesTheNextRequestOfItsClassWithoutAskingTheDevice() {
        FakeMemory mem = new FakeMemory(1 << 20);
        CachingAllocator<Long> a = new CachingAllocator<>(mem, "cuda:0");
        CachingAllocator.Block<Long> b1 = a.allocate(1000);
        assertEquals(1024, b1.size());
        assertEquals(1024, a.bytesInUse());
        a.release(b1);
        assertEquals(1024, a.bytesCached());
        assertEquals(0, a.bytesInUse());
        CachingAllocator.Block<Long> b2 = a.allocate(700); // same class (1024)
        assertEquals(b1.pointer(), b2.pointer());
        assertEquals(1, mem.allocations);
        assertEquals(0, a.bytesCached());
        assertEquals(1, a.deviceAllocations());
    }

    @Test
    void anotherClassIsNotServedFromTheCache() {
        FakeMemory mem = new FakeMemory(1 << 20);
        CachingAllocator<Long> a = new CachingAllocator<>(mem, "cuda:0");
        CachingAllocator.Block<Long> small = a.allocate(512);
        a.release(small);
        CachingAllocator.Block<Long> big = a.allocate(4096);
        assertNotEquals(small.pointer(), big.pointer());
        assertEquals(2, mem.allocations);
        assertEquals(512, a.bytesCached());
        assertEquals(4096, a.bytesInUse());
    }

    @Test
    void aTrainingLoopStopsAllocatingAfterItsFirstStep() {
        FakeMemory mem = new FakeMemory(1L << 30);
        CachingAllocator<Long> a = new CachingAllocator<>(mem, "cuda:0");
        long[] sizes = {784 * 64 * 4, 256 * 64 * 4, 128 * 64 * 4, 10 * 64 * 4, 4, 4, 256 * 784 * 4, 3_000_000};
        for (int step = 0; step < 10; step++) {
            List<CachingAllocator.Block<Long>> blocks = new ArrayList<>();
            for (long s : sizes) {
                blocks.add(a.allocate(s));
            }
            Set<Long> distinct = new HashSet<>();
            blocks.forEach(b -> distinct.add(b.pointer()));
            assertEquals(blocks.size(), distinct.size(), "a pointer handed out twice at step " + step);
            blocks.forEach(a::release);
        }
        assertEquals(sizes.length, mem.allocations, "only the first step allocates on the device");
        assertEquals(0, a.bytesInUse());
        assertEquals(mem.used, a.bytesCached());
    }

    @Test
    void outOfMemoryEmptiesTheCacheOnceAndThenSucceeds() {
        FakeMemory mem = new FakeMemory(8192);
        CachingAllocator<Long> a = new CachingAllocator<>(mem, "cuda:0");
        a.release(a.allocate(4096));
        a.release(a.allocate(2048));
        assertEquals(6144, a.bytesCached());
        CachingAllocator.Block<Long> b = a.allocate(6000); // class 6144: fits only once the cache is freed
        assertEquals(6144, b.size());
        assertEquals(2, mem.frees);
        assertEquals(1, mem.quiesced, "the device is drained once before cached blocks are freed");
        assertEquals(0, a.bytesCached());
        assertEquals(6144, mem.used);
    }

    @Test
    void outOfMemoryThatTheCacheCannotHelpSaysWhatWasAskedInUseAndCached() {
        FakeMemory mem = new FakeMemory(10_000);
        CachingAllocator<Long> a = new CachingAllocator<>(mem, "cuda:3");
        CachingAllocator.Block<Long> kept = a.allocate(5000); // class 5120
        a.release(a.allocate(1000)); // 1024 cached
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> a.allocate(6000));
        String m = e.getMessage();
        assertTrue(m.startsWith("cuda:3: out of device memory: asked for 5.86 KiB (6000 bytes)"), m);
        assertTrue(m.contains("5.00 KiB (5120 bytes) in use by 1 tensors' blocks"), m);
        assertTrue(m.contains("1.00 KiB (1024 bytes) were cached and have been freed"), m);
        assertTrue(m.contains("4880 bytes free of 10000"), m);
        assertEquals(1, mem.frees, "the cache was emptied once");
        assertEquals(0, a.bytesCached());
        assertEquals(5120, a.bytesInUse());
        a.release(kept);
        assertEquals(6144, a.allocate(6000).size(), "after a release it fits");
    }

    @Test
    void emptyCacheFreesEveryCachedBlockAndNothingInUse() {
        FakeMemory mem = new FakeMemory(1 << 20);
        CachingAllocator<Long> a = new CachingAllocator<>(mem, "cuda:0");
        CachingAllocator.Block<Long> inUse = a.allocate(100);
        for (int i = 0; i < 3; i++) {
            a.release(a.allocate(2048 * (i + 1)));
        }
        assertEquals(2048 + 4096 + 6144, a.emptyCache());
        assertEquals(0, a.bytesCached());
        assertEquals(1, mem.live.size());
        assertTrue(mem.live.containsKey(inUse.pointer()));
        assertEquals(0, a.emptyCache());
        assertEquals(1, mem.quiesced, "nothing cached: no wait for the device");
    }

    @Test
    void bytesAreShownInTheirUnit() {
        assertEquals("100 bytes", CachingAllocator.bytes(100));
        assertEquals("1.50 KiB (1536 bytes)", CachingAllocator.bytes(1536));
        assertEquals("2.00 GiB (2147483648 bytes)", CachingAllocator.bytes(1L << 31));
    }
}
