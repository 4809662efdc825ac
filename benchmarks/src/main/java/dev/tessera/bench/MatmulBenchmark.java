package dev.tessera.bench;

import dev.tessera.Device;
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
 * SGEMM through the tensor API: {@code a.matmul(b)} of two {@code n x n} FLOAT32 tensors, n = 256,
 * 1024, 2048, on one and two CPU threads, including the allocation of the result, as a user calls
 * it (what {@code torch.mm} is compared with). {@link GemmBenchmark} measures the bare kernel.
 *
 * <p>Any device of any backend on the classpath: {@code -p device=cuda:0} (or {@code opencl:0});
 * off the CPU each product ends by reading one element back, so the time includes finishing the
 * work. GFLOP/s = {@code 2 n^3 / time}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx2g"})
public class MatmulBenchmark {
    /** Matrix size. */
    @Param({"256", "1024", "2048"})
    public int n;

    /** Threads of the CPU pool. */
    @Param({"1", "2"})
    public String threads;

    /** Device, as {@link Device#parse(String)} reads it. */
    @Param({"cpu"})
    public String device;

    private Workload work;

    /** Sizes the pool and builds the operands on the device. */
    @Setup(Level.Trial)
    public void setUp() {
        BenchThreads.configure(threads, "MatmulBenchmark");
        work = Workloads.matmul(n, Device.parse(device));
    }

    /** One product. */
    @Benchmark
    public Object matmul() {
        return work.run();
    }
}
