package dev.tessera.bench;

import dev.tessera.Generator;
import dev.tessera.Tensor;
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
 * The transcendental elementwise ops and softmax on {@code [rows, 1024]} of normal values times 3:
 * 32 rows (128 KiB, cache-resident) or 1024 rows (4 MiB). These run the CPU backend's own float
 * polynomials (the same bits in every JIT tier); divide the time by the element count for ns per
 * element.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx2g"})
public class ElementwiseMathBenchmark {
    @Param({"exp", "log", "tanh", "sigmoid", "softplus", "elu", "gelu", "softmax", "logSoftmax"})
    public String op;

    @Param({"32", "1024"})
    public int rows;

    @Param({"1"})
    public String threads;

    private Tensor x;
    private Tensor positive;

    /** Sizes the pool, then draws the input (and its absolute value plus 0.1, for log). */
    @Setup(Level.Trial)
    public void setUp() {
        BenchThreads.configure(threads, "ElementwiseMathBenchmark");
        x = Tensor.randn(new Generator(1), rows, 1024).mul(3f);
        positive = x.abs().add(0.1f);
    }

    /** One application of {@link #op} to the whole input. */
    @Benchmark
    public Tensor apply() {
        return switch (op) {
            case "exp" -> x.exp();
            case "log" -> positive.log();
            case "tanh" -> x.tanh();
            case "sigmoid" -> x.sigmoid();
            case "softplus" -> x.softplus();
            case "elu" -> x.elu(1f);
            case "gelu" -> x.gelu();
            case "softmax" -> x.softmax(-1);
            case "logSoftmax" -> x.logSoftmax(-1);
            default -> throw new IllegalArgumentException("ElementwiseMathBenchmark: unknown op " + op);
        };
    }
}
