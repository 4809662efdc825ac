package dev.tessera.bench;

/**
 * One unit of benchmarked work, set up once and run many times: a training step, a forward and
 * backward pass, one matrix product. The JMH benchmarks and the PyTorch comparison ({@link
 * Compare}) run the same {@code Workload} objects from {@link Workloads}, so both measure the same
 * thing.
 */
@FunctionalInterface
public interface Workload {
    /**
     * Does the work once.
     *
     * @return a result the caller hands to a JMH {@code Blackhole} (or ignores), so that the JIT
     *         cannot drop the work
     */
    Object run();
}
