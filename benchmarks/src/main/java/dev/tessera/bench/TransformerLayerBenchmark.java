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
 * {@link dev.tessera.nn.TransformerEncoderLayer} in training mode, forward and backward: d 128, 4
 * heads, feed-forward 512, dropout 0.1, batch 32, sequence 64 ({@link
 * Workloads#transformerForwardBackward()}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx2g"})
public class TransformerLayerBenchmark {
    /** Threads of the CPU pool. */
    @Param({"1", "2"})
    public String threads;

    private Workload work;

    /** Sizes the pool and builds the layer and input. */
    @Setup(Level.Trial)
    public void setUp() {
        BenchThreads.configure(threads, "TransformerLayerBenchmark");
        work = Workloads.transformerForwardBackward();
    }

    /** Forward, then backward with a fixed output gradient; returns the input's gradient. */
    @Benchmark
    public Object forwardBackward() {
        return work.run();
    }
}
