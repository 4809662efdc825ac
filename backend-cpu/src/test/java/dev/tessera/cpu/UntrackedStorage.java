package dev.tessera.cpu;

import dev.tessera.DType;
import dev.tessera.spi.Storage;

/**
 * Test support: CPU storages that no memory scope tracks, for a test backend that wraps CPU storages
 * in its own and tracks those (a scope must release or keep the wrapper, not the array behind it).
 */
public final class UntrackedStorage {
    private UntrackedStorage() {
    }

    /** Returns a zero-filled CPU storage of {@code length} elements of {@code dtype}, untracked. */
    public static Storage allocate(DType dtype, int length) {
        return dtype == DType.FLOAT32 ? CpuStorage.ofFloats(new float[length], false)
                : CpuStorage.ofInts(new int[length], false);
    }

    /** Returns a CPU storage holding a copy of {@code data}, untracked. */
    public static Storage of(float[] data) {
        return CpuStorage.ofFloats(data.clone(), false);
    }

    /** Returns a CPU storage holding a copy of {@code data}, untracked. */
    public static Storage of(int[] data) {
        return CpuStorage.ofInts(data.clone(), false);
    }
}
