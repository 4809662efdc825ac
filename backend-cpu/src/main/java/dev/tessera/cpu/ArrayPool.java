package dev.tessera.cpu;

import java.lang.ref.SoftReference;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Float arrays of released CPU storages, kept for the next allocation of the same length. A memory
 * scope around each training step ({@link dev.tessera.MemoryScope}, as the trainer opens) releases
 * the step's tensors when it closes; their arrays come back here, and the next step's tensors of the
 * same shapes reuse them instead of new arrays. The steady state of a training loop then allocates
 * almost nothing on the Java heap: no young-generation churn, no collector growing the heap for it.
 *
 * <p>At most {@link #CAP_BYTES} are held (a quarter of the maximum heap, at most 1 GiB); arrays are
 * held through soft references, so the collector may still take them back under memory pressure.
 * Only arrays that no one else can reach are offered: those of storages the backend allocated, after
 * {@link CpuStorage#release()} has dropped them (any later use of the storage throws). Safe for
 * concurrent use.
 */
final class ArrayPool {
    /** Most bytes the pool holds. */
    static final long CAP_BYTES = Math.min(1L << 30, Runtime.getRuntime().maxMemory() / 4);
    /** Arrays shorter than this are not pooled: new ones are as cheap, and lengths vary most there. */
    static final int MIN_LENGTH = 1024;

    private static final Map<Integer, ArrayDeque<SoftReference<float[]>>> FREE = new HashMap<>();
    private static long bytes;

    private ArrayPool() {
    }

    /**
     * Returns a zero-filled array of {@code length} floats: a pooled one when there is one, else a new one.
     *
     * @param length the number of floats, {@code >= 0}
     * @return an array no one else references
     */
    static float[] zeros(int length) {
        float[] a = length >= MIN_LENGTH ? take(length) : null;
        if (a == null) {
            return new float[length];
        }
        java.util.Arrays.fill(a, 0f);
        return a;
    }

    /**
     * Returns an array of {@code length} floats with unspecified contents: a pooled one as its last
     * user left it when there is one, else a new one.
     *
     * @param length the number of floats, {@code >= 0}
     * @return an array no one else references
     */
    static float[] uninitialised(int length) {
        float[] a = length >= MIN_LENGTH ? take(length) : null;
        return a != null ? a : new float[length];
    }

    /** Offers the array of a released storage for reuse; dropped when the pool is full or it is short. */
    static void give(float[] a) {
        if (a.length < MIN_LENGTH) {
            return;
        }
        long size = 4L * a.length;
        synchronized (FREE) {
            if (bytes + size > CAP_BYTES) {
                return;
            }
            FREE.computeIfAbsent(a.length, k -> new ArrayDeque<>()).push(new SoftReference<>(a));
            bytes += size;
        }
    }

    /** Bytes the pool holds now (arrays the collector has cleared included, until they are taken). */
    static long bytes() {
        synchronized (FREE) {
            return bytes;
        }
    }

    /** Empties the pool. */
    static void clear() {
        synchronized (FREE) {
            FREE.clear();
            bytes = 0;
        }
    }

    private static float[] take(int length) {
        synchronized (FREE) {
            ArrayDeque<SoftReference<float[]>> q = FREE.get(length);
            while (q != null && !q.isEmpty()) {
                float[] a = q.pop().get();
                bytes -= 4L * length;
                if (a != null) {
                    return a;
                }
            }
            return null;
        }
    }
}
