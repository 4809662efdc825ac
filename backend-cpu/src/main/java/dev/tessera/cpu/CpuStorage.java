package dev.tessera.cpu;

import dev.tessera.DType;
import dev.tessera.spi.Storage;

/** Heap storage: a {@code float[]} for FLOAT32 or an {@code int[]} for INT32, owned by the garbage collector. */
final class CpuStorage implements Storage {
    final float[] floats;
    final int[] ints;

    private CpuStorage(float[] floats, int[] ints) {
        this.floats = floats;
        this.ints = ints;
    }

    static CpuStorage ofFloats(float[] data) {
        return new CpuStorage(data, null);
    }

    static CpuStorage ofInts(int[] data) {
        return new CpuStorage(null, data);
    }

    @Override
    public DType dtype() {
        return floats != null ? DType.FLOAT32 : DType.INT32;
    }

    @Override
    public int length() {
        return floats != null ? floats.length : ints.length;
    }

    /** Returns the float array of a storage that belongs to the CPU backend. */
    static float[] floats(Storage s) {
        return cpu(s).floats;
    }

    /** Returns the int array of a storage that belongs to the CPU backend. */
    static int[] ints(Storage s) {
        return cpu(s).ints;
    }

    private static CpuStorage cpu(Storage s) {
        if (s instanceof CpuStorage c) {
            return c;
        }
        throw new IllegalArgumentException("cpu backend: storage " + s.getClass().getName()
                + " belongs to another device; move the tensor with to(Device.cpu())");
    }
}
