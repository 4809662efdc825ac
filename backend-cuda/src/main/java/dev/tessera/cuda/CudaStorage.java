package dev.tessera.cuda;

import dev.tessera.DType;
import dev.tessera.spi.MemoryLedger;
import dev.tessera.spi.Storage;
import java.lang.ref.Cleaner;
import jcuda.driver.CUdeviceptr;

/**
 * A device buffer of FLOAT32 or INT32 elements owned by one {@link CudaBackend}: a block of the
 * backend's {@link CachingAllocator}. A zero-length storage still holds a block, so it can be
 * passed to kernels like any other. {@link #release()} returns the block to the cache now
 * (idempotent); otherwise the cleaner does once the storage is unreachable.
 */
public final class CudaStorage implements Storage {
    private final CudaBackend owner;
    private final CUdeviceptr pointer;
    private final DType dtype;
    private final int length;
    private volatile Cleaner.Cleanable cleanable;
    private volatile boolean released;

    CudaStorage(CudaBackend owner, CUdeviceptr pointer, DType dtype, int length) {
        this.owner = owner;
        this.pointer = pointer;
        this.dtype = dtype;
        this.length = length;
    }

    /** Sets the handle whose {@code clean()} returns the block (once); called right after construction. */
    void track(Cleaner.Cleanable c) {
        this.cleanable = c;
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public int length() {
        return length;
    }

    /** Returns the backend that created this storage. */
    CudaBackend owner() {
        return owner;
    }

    /**
     * Returns the device pointer of element 0.
     *
     * @throws IllegalStateException if the storage was released
     */
    public CUdeviceptr pointer() {
        if (released) {
            throw MemoryLedger.released(this);
        }
        return pointer;
    }

    /** Returns true once {@link #release()} has run. */
    public boolean isReleased() {
        return released;
    }

    @Override
    public void release() {
        released = true;
        Cleaner.Cleanable c = cleanable;
        if (c != null) {
            c.clean();
        }
    }

    @Override
    public String toString() {
        return "CudaStorage[" + dtype + " x " + length + " on " + owner.device() + (released ? ", released" : "") + "]";
    }
}
