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
 * One training step of the 784-256-128-10 ReLU perceptron ({@link Workloads#mlp()}): zero the
 * gradients, forward, cross-entropy, backward, SGD step (lr 0.01, momentum 0.9), on a fixed random
 * batch of 64 or 256.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx2g"})
public class MlpTrainStepBenchmark {
    /** Examples per batch. */
    @Param({"64", "256"})
    public int batch;

    /** Threads of the CPU pool. */
    @Param({"1", "2"})
    public String threads;

    private Workload step;

    /** Sizes the pool and builds model, optimizer and batch. */
    @Setup(Level.Trial)
    public void setUp() {
        BenchThreads.configure(threads, "MlpTrainStepBenchmark");
        step = Workloads.mlpStep(batch);
    }

    /** One step; returns the loss. */
    @Benchmark
    public Object trainStep() {
        return step.run();
    }
}
