package dev.tessera.cuda;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A caching allocator of device memory: requests are rounded up to their {@link SizeClasses size
 * class}; a released block goes to its class's free list instead of back to the driver, and the
 * next request of that class takes it, so a training step that allocates the same sizes every
 * step stops calling {@code cuMemAlloc} after the first. Blocks are reused at once: every kernel
 * and copy of one device runs on one in-order stream (see {@link CudaBackend}), so work queued
 * on a block before its release runs before any work queued after its reuse.
 *
 * <p>When the device has no memory left, the allocator frees every cached block ({@link
 * #emptyCache()}) and tries once more; if that fails too it throws an {@link IllegalStateException}
 * that says how much was asked, how much is in use and how much was cached.
 *
 * <p>Thread-safe (every method is synchronized; releases come from any thread, the cleaner's too).
 *
 * @param <P> the type of a device pointer
 */
final class CachingAllocator<P> {
    private static final Logger LOG = LoggerFactory.getLogger(CachingAllocator.class);

    /**
     * An allocated block: its pointer and its size (its class, at least the bytes asked for).
     *
     * @param pointer the device pointer
     * @param size    the block's size in bytes
     * @param <P>     the type of a device pointer
     */
    record Block<P>(P pointer, long size) {
    }

    private final DeviceMemory<P> memory;
    private final String device;
    private final Map<Long, ArrayDeque<P>> free = new HashMap<>();
    private long bytesCached;
    private long bytesInUse;
    private long blocksInUse;
    private long deviceAllocations;

    /** Creates an allocator over {@code memory}; {@code device} (e.g. {@code "cuda:0"}) names it in messages. */
    CachingAllocator(DeviceMemory<P> memory, String device) {
        this.memory = memory;
        this.device = device;
    }

    /**
     * Returns a block of at least {@code bytes} bytes (its contents undefined): a cached block of
     * the class if there is one, else a new one from the device.
     *
     * @throws IllegalStateException when the device is out of memory even after the cache was emptied
     */
    synchronized Block<P> allocate(long bytes) {
        long size = SizeClasses.classOf(bytes);
        ArrayDeque<P> list = free.get(size);
        P p;
        if (list != null && !list.isEmpty()) {
            p = list.pop();
            bytesCached -= size;
        } else {
            p = memory.allocate(size);
            if (p == null) {
                long flushed = emptyCache();
                p = memory.allocate(size);
                if (p == null) {
                    throw outOfMemory(bytes, size, flushed);
                }
                LOG.debug("{}: out of memory for {} bytes until {} cached bytes were freed", device, size, flushed);
            }
            deviceAllocations++;
        }
        bytesInUse += size;
        blocksInUse++;
        return new Block<>(p, size);
    }

    /** Returns {@code block} to the cache (it must come from {@link #allocate} and be released once). */
    synchronized void release(Block<P> block) {
        free.computeIfAbsent(block.size(), k -> new ArrayDeque<>()).push(block.pointer());
        bytesCached += block.size();
        bytesInUse -= block.size();
        blocksInUse--;
    }

    /** Frees every cached block to the device and returns the bytes freed. */
    synchronized long emptyCache() {
        long freed = 0;
        if (bytesCached > 0) {
            memory.quiesce();
        }
        for (Map.Entry<Long, ArrayDeque<P>> e : free.entrySet()) {
            for (P p : e.getValue()) {
                memory.free(p);
                freed += e.getKey();
            }
        }
        free.clear();
        bytesCached = 0;
        return freed;
    }

    /** Returns the bytes of the blocks held in the cache (allocated on the device, used by no storage). */
    synchronized long bytesCached() {
        return bytesCached;
    }

    /** Returns the bytes of the blocks handed out and not yet released (each rounded up to its class). */
    synchronized long bytesInUse() {
        return bytesInUse;
    }

    /** Returns how many times the allocator has asked the device for memory (cache misses). */
    synchronized long deviceAllocations() {
        return deviceAllocations;
    }

    private IllegalStateException outOfMemory(long asked, long size, long flushed) {
        return new IllegalStateException(device + ": out of device memory: asked for " + bytes(asked) + " (a block of "
                + bytes(size) + "); " + bytes(bytesInUse) + " in use by " + blocksInUse + " tensors' blocks, "
                + bytes(flushed) + " were cached and have been freed without helping; the device reports "
                + memory.describe() + ". Release tensors sooner (MemoryScope, close()) or use smaller batches");
    }

    /** Returns {@code "1.50 GiB (1610612736 bytes)"}-style text. */
    static String bytes(long n) {
        String unit;
        double v;
        if (n >= 1L << 30) {
            v = n / (double) (1L << 30);
            unit = "GiB";
        } else if (n >= 1L << 20) {
            v = n / (double) (1L << 20);
            unit = "MiB";
        } else if (n >= 1L << 10) {
            v = n / (double) (1L << 10);
            unit = "KiB";
        } else {
            return n + " bytes";
        }
        return String.format(Locale.ROOT, "%.2f %s (%d bytes)", v, unit, n);
    }
}
