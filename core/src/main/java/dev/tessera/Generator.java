package dev.tessera;

import dev.tessera.spi.SplitMix;

/**
 * A seeded source of random numbers for initialisation, dropout and shuffling. The same seed
 * gives the same sequence on every run, every JVM and every backend: numbers are drawn on the host
 * with SplitMix64 (a fixed, documented algorithm) and uploaded to the device.
 *
 * <p>Not thread-safe: give each thread its own generator. The state is one {@code long}, which
 * {@link #state()} and {@link #setState(long)} save and restore (for checkpoints).
 */
public final class Generator {
    private static final long GOLDEN_GAMMA = SplitMix.GAMMA;
    private long state;

    /** Creates a generator whose sequence is fully determined by {@code seed}. */
    public Generator(long seed) {
        this.state = seed;
    }

    /** Returns the current state; a generator set to it continues the same sequence. */
    public long state() {
        return state;
    }

    /** Restores a state returned by {@link #state()}; modifies this generator. */
    public void setState(long state) {
        this.state = state;
    }

    /** Returns the next 64 random bits and advances the state. */
    public long nextLong() {
        return SplitMix.mix(state += GOLDEN_GAMMA);
    }

    /**
     * Reserves the next {@code count} numbers for a draw done elsewhere (in parallel, on a device):
     * returns the state they start from and advances this generator past them. Number {@code i} of
     * the draw is {@link SplitMix#uniform(long, long) SplitMix.uniform(start, i)}, exactly what
     * {@code count} calls of {@link #nextFloat()} would have returned.
     */
    public long reserve(long count) {
        if (count < 0) {
            throw new IllegalArgumentException("Generator.reserve: count must be >= 0, got " + count);
        }
        long start = state;
        state += count * GOLDEN_GAMMA;
        return start;
    }

    /** Returns a uniform float in {@code [0, 1)}. */
    public float nextFloat() {
        return (nextLong() >>> 40) * 0x1.0p-24f;
    }

    /** Returns a uniform double in {@code [0, 1)}. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /**
     * Returns a uniform int in {@code [0, bound)} without modulo bias.
     *
     * @throws IllegalArgumentException if {@code bound <= 0}
     */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("Generator.nextInt: bound must be positive, got " + bound);
        }
        // Lemire's multiply-shift with rejection of the biased low range.
        long threshold = (1L << 32) % bound;
        while (true) {
            long r = nextLong() >>> 32;
            long m = r * bound;
            if ((m & 0xFFFFFFFFL) >= threshold) {
                return (int) (m >>> 32);
            }
        }
    }

    /** Returns a standard normal sample (Box–Muller; consumes two uniforms). */
    public double nextGaussian() {
        double u1 = 1.0 - nextDouble(); // (0, 1]: keeps log finite
        double u2 = nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    /** Fills {@code out} with uniform values in {@code [low, high)}; modifies {@code out}. */
    public void fillUniform(float[] out, float low, float high) {
        float range = high - low;
        for (int i = 0; i < out.length; i++) {
            out[i] = low + range * nextFloat();
        }
    }

    /** Fills {@code out} with normal values of the given mean and standard deviation; modifies {@code out}. */
    public void fillNormal(float[] out, float mean, float std) {
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (mean + std * nextGaussian());
        }
    }

    /** Returns a uniformly random permutation of {@code 0 .. n-1} (Fisher–Yates). */
    public int[] permutation(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("Generator.permutation: n must be >= 0, got " + n);
        }
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
