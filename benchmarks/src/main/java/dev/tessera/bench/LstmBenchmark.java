package dev.tessera.bench;

import dev.tessera.Generator;
import dev.tessera.Tensor;
import dev.tessera.nn.GRU;
import dev.tessera.nn.LSTM;
import dev.tessera.nn.RNNBase;
import dev.tessera.nn.Random;
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
 * {@link LSTM} forward and backward through time: input 256, hidden 256, one layer, sequence 100,
 * batch 32 ({@code [100, 32, 256]}, sequence first), training mode, input requiring grad, a fixed
 * random output gradient ({@link #forwardBackwardWorkload()}; {@code compare.py} runs the same
 * workload, {@code lstm-fwdbwd}, in PyTorch; {@code gru-fwdbwd} is the same with a GRU).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx2g"})
public class LstmBenchmark {
    /** Input features and hidden size. */
    static final int SIZE = 256;
    /** Time steps. */
    static final int STEPS = 100;
    /** Sequences per batch. */
    static final int BATCH = 32;

    /** Threads of the CPU pool. */
    @Param({"1", "2"})
    public String threads;

    private Workload work;

    /**
     * The workload: builds the layer (weights from seed 0) and a random input and output gradient
     * once; each run clears the gradients, runs forward and backward, and returns the input's gradient.
     */
    public static Workload forwardBackwardWorkload() {
        Random.manualSeed(0);
        return forwardBackward(new LSTM(SIZE, SIZE));
    }

    /** The same workload with a {@link GRU} ({@code gru-fwdbwd} in {@code compare.py}). */
    public static Workload gruForwardBackwardWorkload() {
        Random.manualSeed(0);
        return forwardBackward(new GRU(SIZE, SIZE));
    }

    private static Workload forwardBackward(RNNBase layer) {
        layer.train();
        Generator g = new Generator(4);
        Tensor x = Tensor.randn(g, STEPS, BATCH, SIZE).requiresGrad(true);
        Tensor gradOut = Tensor.randn(g, STEPS, BATCH, SIZE);
        return () -> {
            layer.zeroGrad();
            x.zeroGrad();
            layer.forward(x).backward(gradOut);
            return x.grad();
        };
    }

    /** Sizes the pool and builds the layer and input. */
    @Setup(Level.Trial)
    public void setUp() {
        BenchThreads.configure(threads, "LstmBenchmark");
        work = forwardBackwardWorkload();
    }

    /** Forward, then backward with a fixed output gradient; returns the input's gradient. */
    @Benchmark
    public Object forwardBackward() {
        return work.run();
    }
}
