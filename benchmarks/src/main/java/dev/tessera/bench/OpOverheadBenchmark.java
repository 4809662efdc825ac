package dev.tessera.bench;

import dev.tessera.Tensor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The fixed cost of one op: {@code a.add(b)} of two one-element tensors, so that the arithmetic is
 * nothing and the time is dispatch, shape checks, allocation and (in {@code addWithGrad}) the
 * autograd node. PyTorch's is about 1 microsecond.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx1g"})
public class OpOverheadBenchmark {
    private Tensor a;
    private Tensor b;
    private Tensor ga;
    private Tensor gb;

    /** Creates the operands: one pair plain, one pair requiring grad. */
    @Setup
    public void setUp() {
        a = Tensor.of(new float[] {1f}, 1);
        b = Tensor.of(new float[] {2f}, 1);
        ga = Tensor.of(new float[] {1f}, 1).requiresGrad(true);
        gb = Tensor.of(new float[] {2f}, 1).requiresGrad(true);
    }

    /** Add of operands that do not require grad: nothing is recorded. */
    @Benchmark
    public Tensor addNoGrad() {
        return a.add(b);
    }

    /** Add of operands that require grad: records a node for backward. */
    @Benchmark
    public Tensor addWithGrad() {
        return ga.add(gb);
    }
}
