package dev.tessera.bench;

import dev.tessera.cpu.CpuPool;

/**
 * Sets the size of Tessera's CPU pool for one benchmark fork.
 *
 * <p>{@link CpuPool} reads {@code -Dtessera.threads} once, when the class is first used. JMH runs
 * every combination of {@code @Param} values in a fresh fork, so a trial setup that calls {@link
 * #configure} before anything touches the pool gets a JVM with exactly that many threads, as if
 * it had been started with {@code -Dtessera.threads=N}; if the pool was already created with a
 * different size (a benchmark run with {@code -f 0}), the benchmark fails rather than report a
 * number for the wrong thread count.
 */
final class BenchThreads {
    private BenchThreads() {
    }

    /**
     * Asks for {@code threads} pool threads ({@code "all"} for every core) in this JVM.
     *
     * @param threads   a positive integer, or {@code "all"}
     * @param benchmark the benchmark's name, for the error message
     * @throws IllegalStateException if the pool already exists with another size
     */
    static void configure(String threads, String benchmark) {
        int wanted = "all".equals(threads) ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(threads);
        System.setProperty(CpuPool.THREADS_PROPERTY, Integer.toString(wanted));
        if (CpuPool.parallelism() != wanted) {
            throw new IllegalStateException(benchmark + ": asked for " + wanted + " threads but the pool already has "
                    + CpuPool.parallelism() + " (run with -f 1 or more: the pool is sized once per JVM)");
        }
    }
}
