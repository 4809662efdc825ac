package dev.tessera.cuda;

/**
 * Raw device memory as the {@link CachingAllocator} sees it: on a GPU {@code cuMemAlloc} and {@code
 * cuMemFree} ({@link CudaMemory}); in tests a fake, so that the allocator's logic is tested without one.
 *
 * @param <P> the type of a device pointer
 */
interface DeviceMemory<P> {
    /**
     * Allocates {@code bytes} bytes and returns the pointer, or null when the device is out of
     * memory (any other failure throws an {@link IllegalStateException}).
     */
    P allocate(long bytes);

    /**
     * Waits until no queued device work can still use a block that is about to be freed (called
     * once before the cache is emptied); the default does nothing.
     */
    default void quiesce() {
    }

    /** Frees a pointer returned by {@link #allocate}. */
    void free(P pointer);

    /** Returns what the device says of its memory for an out-of-memory message, e.g. {@code "1.2 GiB free of 80 GiB"}. */
    String describe();
}
