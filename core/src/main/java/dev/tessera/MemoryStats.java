package dev.tessera;

/**
 * A snapshot of the memory one device's backend holds, as {@link Device#memoryStats()} returns it.
 *
 * @param liveBuffers the number of storages allocated and not yet released (by a {@link
 *                    MemoryScope}, explicitly, or by the garbage collector's cleaner)
 * @param bytesInUse  the bytes those live storages occupy
 * @param bytesCached bytes the backend keeps allocated for reuse although no storage uses them (on
 *                    the CPU: arrays of storages a memory scope released, kept for the next
 *                    allocation of the same length, which the garbage collector may still reclaim)
 */
public record MemoryStats(long liveBuffers, long bytesInUse, long bytesCached) {

    /** What a backend that does not track its memory reports: all zeros. */
    public static final MemoryStats NONE = new MemoryStats(0, 0, 0);
}
