package dev.tessera.bench;

import dev.tessera.cpu.CpuPool;
import dev.tessera.cpu.Gemm;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
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
 * Square SGEMM {@code C = A*B} of {@link Gemm#sgemm}, n = 256, 1024, 2048, with the
 * Vector API kernel and with the EJML fallback, on one and on two threads.
 *
 * <p>The secondary metric {@code sgemm:gflops} is the speed in GFLOP/s
 * ({@code 2*n^3} floating-point operations per call); the primary one is calls per second.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -jar benchmarks/target/tessera-benchmarks.jar
 * GemmBenchmark} (or {@code mvn -pl benchmarks exec:exec -Dbench.args="GemmBenchmark"}).
 * {@link MatmulBenchmark} times the same products through {@code Tensor.matmul}.
 *
 * <p>How the parameters reach the library: both are chosen once per JVM by
 * system properties, {@code tessera.gemm} (implementation) and {@code tessera.threads}
 * (size of {@link CpuPool}), read when {@code Gemm} and {@code CpuPool} are first used.
 * JMH runs every parameter combination in a fresh fork, and the trial setup sets the
 * properties before anything touches those classes, then checks they took effect.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx2g"})
public class GemmBenchmark {

    /** Matrix size: A, B and C are n x n. */
    @Param({"256", "1024", "2048"})
    public int n;

    /** {@code vector} (Java Vector API kernel) or {@code ejml} (the fallback). */
    @Param({"vector", "ejml"})
    public String impl;

    /** Worker threads of {@link CpuPool} ({@code all} for {@link Runtime#availableProcessors()}). */
    @Param({"1", "2"})
    public String threads;

    private float[] a;
    private float[] b;
    private float[] c;

    /** Configures the library for this fork and fills the operands with seeded values. */
    @Setup(Level.Trial)
    public void setUp() {
        System.setProperty(Gemm.IMPLEMENTATION_PROPERTY, impl);
        BenchThreads.configure(threads, "GemmBenchmark");
        if (!Gemm.implementation().equals(impl)) {
            throw new IllegalStateException("GemmBenchmark: asked for " + impl + " but Gemm uses "
                    + Gemm.implementation() + " (run with -f 1 or more: the choice is made once per JVM,"
                    + " and 'vector' needs --add-modules=jdk.incubator.vector)");
        }
        SplittableRandom rnd = new SplittableRandom(42);
        a = new float[n * n];
        b = new float[n * n];
        c = new float[n * n];
        for (int i = 0; i < n * n; i++) {
            a[i] = (float) rnd.nextDouble(-1, 1);
            b[i] = (float) rnd.nextDouble(-1, 1);
        }
    }

    /** One {@code C = A*B}; returns C so the JIT cannot drop the work. */
    @Benchmark
    public float[] sgemm(Flops flops) {
        Gemm.sgemm(false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n);
        flops.gflops += 2.0 * n * n * n * 1e-9;
        return c;
    }

    /** Counts GFLOP done; JMH reports it per second, i.e. as GFLOP/s. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Flops {
        /** GFLOP done in the current iteration. */
        public double gflops;

        /** Resets the count at the start of each iteration. */
        @Setup(Level.Iteration)
        public void reset() {
            gflops = 0;
        }
    }
}
