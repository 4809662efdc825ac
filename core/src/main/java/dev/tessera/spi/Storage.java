package dev.tessera.spi;

import dev.tessera.DType;

/**
 * A flat block of elements owned by one backend: a Java array on the CPU, a device buffer on a GPU.
 * Tensors are strided windows onto a storage; several tensors (views) may share one.
 */
public interface Storage {
    /** Returns the element type. */
    DType dtype();

    /** Returns the number of elements. */
    int length();

    /**
     * Releases the memory now instead of waiting for the garbage collector; a {@link
     * dev.tessera.MemoryScope} calls this when it closes. Idempotent. Using the storage afterwards
     * throws the {@link IllegalStateException} of {@link MemoryLedger#released}. The default does
     * nothing (untracked heap storage).
     */
    default void release() {
    }
}
