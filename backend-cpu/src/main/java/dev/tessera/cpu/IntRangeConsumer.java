package dev.tessera.cpu;

/**
 * A body of a parallel loop over a half-open range of indices, as run by
 * {@link CpuPool#parallelFor(int, int, IntRangeConsumer)}.
 *
 * <p>Receiving a whole range rather than one index lets a kernel keep its
 * per-chunk state (buffers, loop-invariant values) in locals and lets the JIT
 * compile the inner loop as an ordinary counted loop.
 */
@FunctionalInterface
public interface IntRangeConsumer {

    /**
     * Processes the indices {@code start <= i < end}.
     *
     * @param start first index, inclusive
     * @param end   last index, exclusive; {@code end > start}
     */
    void accept(int start, int end);
}
