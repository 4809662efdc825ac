package dev.tessera.opencl;

import dev.tessera.DType;
import dev.tessera.spi.KernelStorage;
import org.jocl.cl_mem;

/**
 * A device buffer ({@code cl_mem}) of FLOAT32 or INT32 elements owned by one {@link OpenClBackend}.
 * A zero-length storage still holds a one-element buffer, so it can be passed to kernels like any
 * other. {@link #release()} frees the buffer now (idempotent); otherwise the cleaner frees it once
 * the storage is unreachable. OpenCL keeps a released buffer alive until the kernels already
 * queued on it have run, so releasing never races with the queue.
 */
public final class OpenClStorage extends KernelStorage implements ClBuffer {
    private final cl_mem mem;

    OpenClStorage(OpenClBackend owner, cl_mem mem, DType dtype, int length) {
        super(owner, dtype, length);
        this.mem = mem;
    }

    /**
     * Returns the buffer.
     *
     * @throws IllegalStateException if the storage was released
     */
    @Override
    public cl_mem mem() {
        checkLive();
        return mem;
    }
}
