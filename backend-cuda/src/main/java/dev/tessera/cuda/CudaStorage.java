package dev.tessera.cuda;

import dev.tessera.DType;
import dev.tessera.spi.KernelStorage;
import jcuda.driver.CUdeviceptr;

/**
 * A device buffer of FLOAT32 or INT32 elements owned by one {@link CudaBackend}: a block of the
 * backend's {@link CachingAllocator}. A zero-length storage still holds a block, so it can be
 * passed to kernels like any other. {@link #release()} returns the block to the cache now
 * (idempotent); otherwise the cleaner does once the storage is unreachable.
 */
public final class CudaStorage extends KernelStorage {
    private final CUdeviceptr pointer;

    CudaStorage(CudaBackend owner, CUdeviceptr pointer, DType dtype, int length) {
        super(owner, dtype, length);
        this.pointer = pointer;
    }

    /**
     * Returns the device pointer of element 0.
     *
     * @throws IllegalStateException if the storage was released
     */
    public CUdeviceptr pointer() {
        checkLive();
        return pointer;
    }
}
