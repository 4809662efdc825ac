package dev.tessera.cuda;

/**
 * The size classes of the {@link CachingAllocator}: a request is rounded up to its class, and a
 * freed block serves any later request of the same class. Up to {@link #SMALL_LIMIT} classes are
 * multiples of {@link #SMALL_STEP} bytes; above it, each power of two {@code 2^e} is split into
 * {@link #SPLITS} equal steps of {@code 2^e / SPLITS} (so a class wastes at most 1/SPLITS of its request).
 */
final class SizeClasses {
    /** The granularity, and the smallest class, in bytes. */
    static final long SMALL_STEP = 512;
    /** Requests up to this many bytes are rounded to a multiple of {@link #SMALL_STEP}. */
    static final long SMALL_LIMIT = 1L << 20;
    /** The classes per power of two above {@link #SMALL_LIMIT}. */
    static final int SPLITS = 8;

    private SizeClasses() {
    }

    /**
     * Returns the class of a request of {@code bytes}: the smallest class size {@code >= bytes}
     * (and {@code >= SMALL_STEP}).
     *
     * @throws IllegalArgumentException for a negative request
     */
    static long classOf(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("cuda allocator: a request of " + bytes + " bytes");
        }
        if (bytes <= SMALL_LIMIT) {
            return Math.max(SMALL_STEP, roundUp(bytes, SMALL_STEP));
        }
        long power = Long.highestOneBit(bytes - 1); // 2^e < bytes <= 2^(e+1)
        long step = power / SPLITS;
        return roundUp(bytes, step);
    }

    private static long roundUp(long n, long m) {
        return (n + m - 1) / m * m;
    }
}
