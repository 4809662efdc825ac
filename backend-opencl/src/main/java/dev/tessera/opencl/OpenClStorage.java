package dev.tessera.opencl;

import dev.tessera.DType;
import dev.tessera.spi.MemoryLedger;
import dev.tessera.spi.Storage;
import java.lang.ref.Cleaner;
import org.jocl.cl_mem;

/**
 * A device buffer ({@code cl_mem}) of FLOAT32 or INT32 elements owned by one {@link OpenClBackend}.
 * A zero-length storage still holds a one-element buffer, so it can be passed to kernels like any
 * other. {@link #release()} frees the buffer now (idempotent); otherwise the cleaner frees it once
 * the storage is unreachable. OpenCL keeps a released buffer alive until the kernels already
 * queued on it have run, so releasing never races with the queue.
 */
public final class OpenClStorage implements Storage, ClBuffer {
    private final OpenClBackend owner;
    private final cl_mem mem;
    private final DType dtype;
    private final int length;
    private volatile Cleaner.Cleanable cleanable;
    private volatile boolean released;

    OpenClStorage(OpenClBackend owner, cl_mem mem, DType dtype, int length) {
        this.owner = owner;
        this.mem = mem;
        this.dtype = dtype;
        this.length = length;
    }

    /** Sets the handle whose {@code clean()} frees the buffer (once); called right after construction. */
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
    OpenClBackend owner() {
        return owner;
    }

    /**
     * Returns the buffer.
     *
     * @throws IllegalStateException if the storage was released
     */
    @Override
    public cl_mem mem() {
        if (released) {
            throw MemoryLedger.released(this);
        }
        return mem;
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
        return "OpenClStorage[" + dtype + " x " + length + " on " + owner.device() + (released ? ", released" : "") + "]";
    }
}
