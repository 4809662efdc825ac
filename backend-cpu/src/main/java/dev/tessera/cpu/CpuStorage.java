package dev.tessera.cpu;

import dev.tessera.DType;
import dev.tessera.spi.MemoryLedger;
import dev.tessera.spi.HeapStorage;
import dev.tessera.spi.Storage;

/**
 * Heap storage: a {@code float[]} for FLOAT32 or an {@code int[]} for INT32, owned by the garbage
 * collector. Storages the backend hands out are registered with the calling thread's memory scope
 * ({@link MemoryLedger#trackHeap}); {@link #release()} drops the array (a float array goes to the
 * {@link ArrayPool} for the next allocation of its length), and any later use of the storage throws.
 */
final class CpuStorage implements HeapStorage {
    private float[] floats;
    private int[] ints;
    private final DType dtype;
    private final int length;
    private boolean released;
    /** Whether the backend allocated the array for this storage alone (so a release may recycle it). */
    private final boolean tracked;

    private CpuStorage(float[] floats, int[] ints, boolean tracked) {
        this.tracked = tracked;
        this.floats = floats;
        this.ints = ints;
        this.dtype = floats != null ? DType.FLOAT32 : DType.INT32;
        this.length = floats != null ? floats.length : ints.length;
        if (tracked) {
            MemoryLedger.trackHeap(this);
        }
    }

    /** Returns a storage on {@code data} (not copied), registered with the thread's memory scope when {@code tracked}. */
    static CpuStorage ofFloats(float[] data, boolean tracked) {
        return new CpuStorage(data, null, tracked);
    }

    /** Returns a storage on {@code data} (not copied), registered with the thread's memory scope when {@code tracked}. */
    static CpuStorage ofInts(int[] data, boolean tracked) {
        return new CpuStorage(null, data, tracked);
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public void release() {
        if (tracked && floats != null) {
            ArrayPool.give(floats); // no one else holds the array: the backend allocated it for this storage
        }
        released = true;
        floats = null;
        ints = null;
    }

    /** Returns the float array of a storage that belongs to the CPU backend. */
    static float[] floats(Storage s) {
        CpuStorage c = cpu(s);
        if (c.released) {
            throw MemoryLedger.released(c);
        }
        return c.floats;
    }

    /** Returns the int array of a storage that belongs to the CPU backend. */
    static int[] ints(Storage s) {
        CpuStorage c = cpu(s);
        if (c.released) {
            throw MemoryLedger.released(c);
        }
        return c.ints;
    }

    private static CpuStorage cpu(Storage s) {
        if (s instanceof CpuStorage c) {
            return c;
        }
        throw new IllegalArgumentException("cpu backend: storage " + s.getClass().getName()
                + " belongs to another device; move the tensor with to(Device.cpu())");
    }
}
