package dev.tessera.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link dev.tessera.nn.MultiheadAttention} self-attention, forward and backward: embed 128, 4
 * heads, sequence 128, batch 32, no dropout ({@link Workloads#attentionForwardBackward()}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx2g"})
public class AttentionBenchmark {
    /** Threads of the CPU pool. */
    @Param({"1", "2"})
    public String threads;

    private Workload work;

    /** Sizes the pool and builds the module and input. */
    @Setup(Level.Trial)
    public void setUp() {
        BenchThreads.configure(threads, "AttentionBenchmark");
        work = Workloads.attentionForwardBackward();
    }

    /** Forward, then backward with a fixed output gradient; returns the input's gradient. */
    @Benchmark
    public Object forwardBackward() {
        return work.run();
    }
}
