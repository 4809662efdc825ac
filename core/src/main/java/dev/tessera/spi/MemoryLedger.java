package dev.tessera.spi;

import dev.tessera.MemoryStats;
import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bookkeeping of one backend's storages: a backend calls {@link #track} for every storage it
 * creates, which counts it for {@link dev.tessera.Device#memoryStats()}, registers it with the
 * innermost open {@link dev.tessera.MemoryScope} of the calling thread, and registers it with a
 * {@link Cleaner} so that a storage that becomes unreachable without {@link Storage#release()} is
 * still freed. Thread-safe; every method is O(1).
 */
public final class MemoryLedger {
    /** One cleaner thread for every backend; its actions only count and free, they never block. */
    private static final Cleaner CLEANER = Cleaner.create();

    private final AtomicLong liveBuffers = new AtomicLong();
    private final AtomicLong bytesInUse = new AtomicLong();

    /** Creates an empty ledger; a backend holds one. */
    public MemoryLedger() {
    }

    /**
     * Counts a new storage as live and registers it with the current thread's innermost memory
     * scope and with the cleaner. The returned cleanable's {@code clean()} (which the storage's
     * {@link Storage#release()} must call) runs {@code free} and uncounts the storage, exactly once,
     * whether called by the storage or by the cleaner after the storage became unreachable.
     *
     * @param storage the new storage
     * @param bytes   the bytes it occupies
     * @param free    frees the device memory, or null when there is nothing to free (heap storage);
     *                it must not reference {@code storage}, or the storage never becomes unreachable
     * @return the handle whose {@code clean()} releases the storage
     */
    public Cleaner.Cleanable track(Storage storage, long bytes, Runnable free) {
        liveBuffers.incrementAndGet();
        bytesInUse.addAndGet(bytes);
        Cleaner.Cleanable cleanable = CLEANER.register(storage, new Uncount(this, bytes, free));
        ScopeFrame.register(storage);
        return cleanable;
    }

    /**
     * Runs a garbage collection and waits until the cleaner thread has run an action registered
     * now: it is then at work on what the collection found, in no particular order. For memory tests
     * and diagnostics that compare counts: repeated until the counts stop changing, it makes them
     * independent of when the cleaner thread gets a core on a busy machine.
     *
     * @param timeoutMillis how long to wait at most
     * @return true if the cleaner got there in time
     */
    public static boolean awaitCleaner(long timeoutMillis) {
        java.util.concurrent.CountDownLatch passed = new java.util.concurrent.CountDownLatch(1);
        CLEANER.register(new Object(), passed::countDown); // unreachable at once
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        try {
            do {
                System.gc();
                if (passed.await(10, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    return true;
                }
            } while (System.nanoTime() < deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    /**
     * Registers a heap storage, whose memory the garbage collector owns, with the current thread's
     * innermost memory scope (if one is open) so that the scope releases it; no cleaner is
     * registered (it would double the cost of a small op). {@link #heapStats()} counts it while a
     * scope holds it. {@link Storage#release()} of such a storage needs no callback.
     */
    public static void trackHeap(HeapStorage storage) {
        ScopeFrame.register(storage);
    }

    /**
     * Returns the heap storages that open memory scopes (on every thread) hold now, and their bytes:
     * what a backend whose memory the garbage collector owns reports as its memory statistics.
     * Storages created outside any scope are the collector's and are not counted.
     */
    public static MemoryStats heapStats() {
        long[] totals = ScopeFrame.heapTotals();
        return new MemoryStats(totals[0], totals[1], 0);
    }

    /** Returns the live storages and their bytes now, with {@code bytesCached} as the backend reports it. */
    public MemoryStats stats(long bytesCached) {
        return new MemoryStats(liveBuffers.get(), bytesInUse.get(), bytesCached);
    }

    /**
     * Returns the exception for a use of a released storage: an {@link IllegalStateException} naming
     * the tensor op that used it (found on the call stack) and the storage, and saying that a memory
     * scope released it. Only called on the error path.
     */
    public static IllegalStateException released(Storage storage) {
        return new IllegalStateException(CallingOp.find() + ": the tensor's memory (" + storage.dtype() + " storage of "
                + storage.length() + " elements) was released by a MemoryScope when it closed; keep the tensor with"
                + " scope.keep(t) to use it after the scope, or create it outside the scope");
    }

    /** The cleaning action: refers to the ledger and the byte count, never to the storage. */
    private static final class Uncount implements Runnable {
        private final MemoryLedger ledger;
        private final long bytes;
        private final Runnable free;

        Uncount(MemoryLedger ledger, long bytes, Runnable free) {
            this.ledger = ledger;
            this.bytes = bytes;
            this.free = free;
        }

        @Override
        public void run() {
            try {
                if (free != null) {
                    free.run();
                }
            } finally {
                ledger.liveBuffers.decrementAndGet();
                ledger.bytesInUse.addAndGet(-bytes);
            }
        }
    }
}
