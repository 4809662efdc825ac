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
 * 2-D convolution, batch 32, 64 to 64 channels, 3x3 kernel, 56x56 images, padding 1 (a ResNet
 * stage-1 layer, 7.4 GFLOP forward): {@code forward} without recording a graph, and {@code
 * forwardBackward} with the gradients of input, weight and bias (backward alone is the difference).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx3g"})
public class Conv2dBenchmark {
    /** Threads of the CPU pool. */
    @Param({"1", "2"})
    public String threads;

    private Workload forward;
    private Workload forwardBackward;

    /** Sizes the pool and builds the operands. */
    @Setup(Level.Trial)
    public void setUp() {
        BenchThreads.configure(threads, "Conv2dBenchmark");
        forward = Workloads.conv2dForward();
        forwardBackward = Workloads.conv2dForwardBackward();
    }

    /** The output {@code [32, 64, 56, 56]}, no graph recorded. */
    @Benchmark
    public Object forward() {
        return forward.run();
    }

    /** Forward with a graph, then backward with a fixed output gradient. */
    @Benchmark
    public Object forwardBackward() {
        return forwardBackward.run();
    }
}
