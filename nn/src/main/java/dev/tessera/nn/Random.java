package dev.tessera.nn;

import dev.tessera.Generator;

/**
 * The global, seedable source of randomness for layers that are built without an explicit
 * {@link Generator}: default weight initialisation ({@link Linear}, {@link Embedding}, {@link Init}
 * helpers called without a generator) and the default generator of {@link Dropout}.
 *
 * <p>Like {@code torch.manual_seed}: after {@code Random.manualSeed(42)}, building the same model
 * in the same order gives bit-identical weights on every run. Each consumer takes a fresh seed
 * from the global stream with {@link #nextSeed()} (or a ready generator with {@link
 * #newGenerator()}) and then draws its numbers privately, so the global state is touched once per
 * layer and the methods here are thread-safe. Without a call to {@link #manualSeed(long)} the stream
 * starts from the fixed {@link #DEFAULT_SEED}, as PyTorch's does.
 */
public final class Random {
    /** The seed the global stream starts from until {@link #manualSeed(long)} is called. */
    public static final long DEFAULT_SEED = 67280421310721L;

    private static final Object LOCK = new Object();
    private static final Generator GLOBAL = new Generator(DEFAULT_SEED);
    private static long initialSeed = DEFAULT_SEED;

    private Random() {
    }

    /** Restarts the global stream from {@code seed}; modifies the global state. */
    public static void manualSeed(long seed) {
        synchronized (LOCK) {
            GLOBAL.setState(seed);
            initialSeed = seed;
        }
    }

    /** Returns the seed last given to {@link #manualSeed(long)} (or {@link #DEFAULT_SEED}). */
    public static long initialSeed() {
        synchronized (LOCK) {
            return initialSeed;
        }
    }

    /** Returns the next seed of the global stream; advances the global state. */
    public static long nextSeed() {
        synchronized (LOCK) {
            return GLOBAL.nextLong();
        }
    }

    /** Returns a new generator seeded with {@link #nextSeed()}; advances the global state. */
    public static Generator newGenerator() {
        return new Generator(nextSeed());
    }
}
