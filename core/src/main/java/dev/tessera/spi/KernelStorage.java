package dev.tessera.spi;

import dev.tessera.DType;
import java.lang.ref.Cleaner;

/**
 * A device buffer of FLOAT32 or INT32 elements owned by one {@link KernelBackend}. For backend
 * authors: a subclass adds the device handle (a {@code cl_mem}, a device pointer) and returns it
 * only after {@link #checkLive()}. A zero-length storage still holds a buffer, so it can be passed
 * to kernels like any other.
 *
 * <p>{@link #release()} frees the buffer now (idempotent) through the handle the backend's {@link
 * MemoryLedger} returned ({@link KernelBackend#track}); otherwise the ledger's cleaner frees it
 * once the storage is unreachable.
 */
public abstract class KernelStorage implements Storage {
    private final KernelBackend<?> owner;
    private final DType dtype;
    private final int length;
    private volatile Cleaner.Cleanable cleanable;
    private volatile boolean released;

    /** A storage of {@code length} elements of {@code dtype} created by {@code owner}. */
    protected KernelStorage(KernelBackend<?> owner, DType dtype, int length) {
        this.owner = owner;
        this.dtype = dtype;
        this.length = length;
    }

    /** Sets the handle whose {@code clean()} frees the buffer (once); called right after construction. */
    void track(Cleaner.Cleanable c) {
        this.cleanable = c;
    }

    @Override
    public final DType dtype() {
        return dtype;
    }

    @Override
    public final int length() {
        return length;
    }

    /** Returns the backend that created this storage. */
    public final KernelBackend<?> owner() {
        return owner;
    }

    /**
     * Throws if the storage was released; subclasses call it before handing out the device handle.
     *
     * @throws IllegalStateException (from {@link MemoryLedger#released}) once {@link #release()} has run
     */
    protected final void checkLive() {
        if (released) {
            throw MemoryLedger.released(this);
        }
    }

    /** Returns true once {@link #release()} has run. */
    public final boolean isReleased() {
        return released;
    }

    /** Frees the buffer now (idempotent); using the storage afterwards throws. */
    @Override
    public final void release() {
        released = true;
        Cleaner.Cleanable c = cleanable;
        if (c != null) {
            c.clean();
        }
    }

    /** Returns e.g. {@code "OpenClStorage[FLOAT32 x 6 on opencl:0]"} (", released" once released). */
    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + dtype + " x " + length + " on " + owner.device()
                + (released ? ", released" : "") + "]";
    }
}
