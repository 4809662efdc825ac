package dev.tessera.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.DType;
import dev.tessera.MemoryScope;
import dev.tessera.MemoryStats;
import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The ledger a device backend keeps: counts, explicit release, scopes and the cleaner safety net. */
class MemoryLedgerTest {

    /** A stand-in for a device buffer: releasing it runs the ledger's cleanable, which frees the "device memory". */
    private static final class DeviceBuffer implements Storage {
        private final int length;
        private final Cleaner.Cleanable cleanable;

        DeviceBuffer(MemoryLedger ledger, int length, AtomicInteger freed) {
            this.length = length;
            this.cleanable = ledger.track(this, 4L * length, freed::incrementAndGet);
        }

        @Override
        public DType dtype() {
            return DType.FLOAT32;
        }

        @Override
        public int length() {
            return length;
        }

        @Override
        public void release() {
            cleanable.clean();
        }
    }

    @Test
    void theCleanerFreesEveryUnreachableBufferAndAwaitCleanerWaitsForIt() {
        MemoryLedger ledger = new MemoryLedger();
        AtomicInteger freed = new AtomicInteger();
        for (int i = 0; i < 1000; i++) {
            new DeviceBuffer(ledger, 4, freed); // dropped at once, never released
        }
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (freed.get() < 1000 && System.nanoTime() < deadline) {
            assertTrue(MemoryLedger.awaitCleaner(10_000), "the cleaner ran within 10 s");
        }
        assertEquals(1000, freed.get());
        assertEquals(new MemoryStats(0, 0, 0), ledger.stats(0));
    }

    @Test
    void releaseFreesOnceAndUncounts() {
        MemoryLedger ledger = new MemoryLedger();
        AtomicInteger freed = new AtomicInteger();
        DeviceBuffer a = new DeviceBuffer(ledger, 10, freed);
        new DeviceBuffer(ledger, 5, freed).release();
        assertEquals(new MemoryStats(1, 40, 7), ledger.stats(7));
        a.release();
        a.release();
        assertEquals(2, freed.get(), "each buffer is freed exactly once");
        assertEquals(new MemoryStats(0, 0, 0), ledger.stats(0));
    }

    @Test
    void aScopeReleasesTheDeviceBuffersCreatedInIt() {
        MemoryLedger ledger = new MemoryLedger();
        AtomicInteger freed = new AtomicInteger();
        DeviceBuffer outside = new DeviceBuffer(ledger, 3, freed);
        try (MemoryScope scope = MemoryScope.open()) {
            for (int i = 0; i < 5; i++) {
                new DeviceBuffer(ledger, 4, freed);
            }
            assertEquals(5, scope.size());
        }
        assertEquals(5, freed.get());
        assertEquals(new MemoryStats(1, 12, 0), ledger.stats(0));
        outside.release();
    }

    @Test
    void theCleanerFreesBuffersThatBecameUnreachable() throws InterruptedException {
        MemoryLedger ledger = new MemoryLedger();
        AtomicInteger freed = new AtomicInteger();
        List<DeviceBuffer> garbage = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            garbage.add(new DeviceBuffer(ledger, 100, freed));
        }
        assertEquals(200, ledger.stats(0).liveBuffers());
        garbage = null;
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (freed.get() < 200 && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        assertEquals(200, freed.get(), "the cleaner freed every unreachable buffer");
        assertTrue(ledger.stats(0).liveBuffers() == 0 && ledger.stats(0).bytesInUse() == 0, ledger.stats(0).toString());
    }
}
