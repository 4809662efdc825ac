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
     * Releases device memory now instead of waiting for the garbage collector. Heap storage may
     * ignore this. Using the storage afterwards throws {@link IllegalStateException}.
     */
    default void release() {
    }
}
