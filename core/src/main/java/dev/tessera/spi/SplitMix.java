package dev.tessera.spi;

/**
 * The SplitMix64 generator as a pure function of (state, index), so that any backend can draw the
 * numbers of a {@link dev.tessera.Generator} in parallel and get exactly what sequential calls would.
 * Element {@code i} of a draw that starts at state {@code s} is {@code mix(s + (i + 1) * GAMMA)}.
 */
public final class SplitMix {
    /** The state increment per number (the golden-ratio constant). */
    public static final long GAMMA = 0x9E3779B97F4A7C15L;

    private SplitMix() {
    }

    /** Returns the SplitMix64 output for the raw counter value {@code z}. */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Returns number {@code index} of a draw starting at {@code state} as a uniform float in {@code [0, 1)}. */
    public static float uniform(long state, long index) {
        return (mix(state + (index + 1) * GAMMA) >>> 40) * 0x1.0p-24f;
    }
}
