package dev.tessera.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Vector API kernel and the EJML fallback against a double-precision triple loop,
 * on sizes around the kernel's block edges (MR = 8 rows, 32 columns, KC = 512, MC = 64,
 * NC = 2048), every transpose combination, padded leading dimensions, offsets, and the
 * BLAS alpha/beta rules; plus argument checks, nesting in the shared pool, concurrent
 * callers, and a JVM started without {@code jdk.incubator.vector}.
 */
class GemmTest {

    /** Padding added to leading dimensions and offsets so that no operand is dense. */
    private static final int PAD_A = 3;
    private static final int PAD_B = 5;
    private static final int PAD_C = 2;
    static final int OFF_A = 3;
    static final int OFF_B = 5;
    static final int OFF_C = 7;
    /** Marks C's padding: a kernel that writes outside the m x n block changes it. */
    private static final float SENTINEL = -12345.5f;

    private static final boolean VECTOR_MODULE =
            ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    /**
     * (m, n, k) from {1, 7, 33, 257, 1000}: single rows/columns, edges of every tile and
     * block size, k above KC (two k blocks), products big enough to run on the pool; and
     * n = 2100 for two column blocks.
     */
    private static final int[][] SIZES = {
        {1, 1, 1}, {1, 7, 33}, {7, 1, 257}, {33, 33, 1}, {7, 33, 7}, {33, 7, 1000},
        {257, 33, 33}, {33, 257, 257}, {257, 257, 7}, {257, 7, 1000}, {7, 1000, 257},
        {1000, 33, 257}, {1000, 257, 1}, {33, 1000, 1000}, {257, 1, 257}, {7, 2100, 33},
    };

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (int[] s : SIZES) {
            for (int t = 0; t < 4; t++) {
                out.add(Arguments.of(s[0], s[1], s[2], (t & 1) != 0, (t & 2) != 0));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "m={0} n={1} k={2} transA={3} transB={4}")
    @MethodSource("cases")
    void vectorAndEjmlMatchDoubleReference(int m, int n, int k, boolean transA, boolean transB) {
        SplittableRandom rnd = new SplittableRandom(31L * m + 17L * n + k + (transA ? 5 : 0) + (transB ? 11 : 0));
        Operands op = new Operands(m, n, k, transA, transB, rnd);
        double[] product = op.referenceProduct();

        // beta = 0 over NaN garbage: C must be overwritten completely.
        float[] nanC = op.newC(Float.NaN);
        check(op, product, 1f, 0f, nanC);
        // beta = 1: accumulate into C, with a negative non-unit alpha.
        float[] randomC = op.newC(rnd);
        check(op, product, -0.75f, 1f, randomC);
        // General alpha and beta.
        check(op, product, 2f, 0.5f, randomC);
    }

    private static void check(Operands op, double[] product, float alpha, float beta, float[] c0) {
        double[] expected = new double[op.m * op.n];
        double maxAbs = 0;
        for (int i = 0; i < op.m; i++) {
            for (int j = 0; j < op.n; j++) {
                double old = beta == 0f ? 0 : (double) beta * c0[op.cIndex(i, j)];
                double e = alpha * product[i * op.n + j] + old;
                expected[i * op.n + j] = e;
                maxAbs = Math.max(maxAbs, Math.abs(e));
            }
        }
        double tol = 1e-4 * Math.sqrt(op.k) * maxAbs + 1e-5;
        String what = String.format("m=%d n=%d k=%d transA=%b transB=%b alpha=%s beta=%s",
                op.m, op.n, op.k, op.transA, op.transB, alpha, beta);
        if (VECTOR_MODULE) {
            float[] c = c0.clone();
            Gemm.sgemmVector(op.transA, op.transB, op.m, op.n, op.k, alpha, op.a, OFF_A, op.lda,
                    op.b, OFF_B, op.ldb, beta, c, OFF_C, op.ldc);
            op.assertMatches("vector " + what, expected, tol, c);
        }
        float[] c = c0.clone();
        Gemm.sgemmEjml(op.transA, op.transB, op.m, op.n, op.k, alpha, op.a, OFF_A, op.lda,
                op.b, OFF_B, op.ldb, beta, c, OFF_C, op.ldc);
        op.assertMatches("ejml " + what, expected, tol, c);
        c = c0.clone();
        Gemm.sgemm(op.transA, op.transB, op.m, op.n, op.k, alpha, op.a, OFF_A, op.lda,
                op.b, OFF_B, op.ldb, beta, c, OFF_C, op.ldc);
        op.assertMatches("sgemm " + what, expected, tol, c);
    }

    @Test
    void denseOperandsWithoutOffsetsUseEjmlInPlace() {
        // The EJML path wraps dense C directly for beta 0 and 1: check that branch too.
        int m = 65;
        int n = 70;
        int k = 130;
        SplittableRandom rnd = new SplittableRandom(7);
        float[] a = random(rnd, m * k);
        float[] b = random(rnd, k * n);
        float[] c0 = random(rnd, m * n);
        double[] ref = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s += (double) a[i * k + p] * b[p * n + j];
                }
                ref[i * n + j] = s;
            }
        }
        for (float beta : new float[] {0f, 1f}) {
            float[] cv = c0.clone();
            float[] ce = c0.clone();
            if (beta == 0f) {
                java.util.Arrays.fill(cv, Float.NaN);
                java.util.Arrays.fill(ce, Float.NaN);
            }
            if (VECTOR_MODULE) {
                Gemm.sgemmVector(false, false, m, n, k, 1.5f, a, 0, k, b, 0, n, beta, cv, 0, n);
            }
            Gemm.sgemmEjml(false, false, m, n, k, 1.5f, a, 0, k, b, 0, n, beta, ce, 0, n);
            for (int i = 0; i < m * n; i++) {
                double e = 1.5 * ref[i] + (beta == 0f ? 0 : c0[i]);
                if (VECTOR_MODULE) {
                    assertEquals(e, cv[i], 1e-3, "vector, beta=" + beta + ", element " + i);
                }
                assertEquals(e, ce[i], 1e-3, "ejml, beta=" + beta + ", element " + i);
            }
        }
    }

    @Test
    void kZeroOrAlphaZeroOnlyScalesC() {
        float[] nanA = {Float.NaN, Float.NaN, Float.NaN, Float.NaN};
        for (boolean vector : new boolean[] {false, true}) {
            if (vector && !VECTOR_MODULE) {
                continue;
            }
            float[] c = {1f, Float.NaN, 3f, 4f};
            call(vector, 2, 2, 0, 1f, nanA, nanA, 0f, c);
            assertEquals(List.of(0f, 0f, 0f, 0f), boxed(c), "k = 0, beta = 0 zeroes C, NaN included");
            c = new float[] {1f, 2f, 3f, 4f};
            call(vector, 2, 2, 0, 1f, nanA, nanA, 0.5f, c);
            assertEquals(List.of(0.5f, 1f, 1.5f, 2f), boxed(c), "k = 0 scales C by beta");
            c = new float[] {1f, 2f, 3f, 4f};
            call(vector, 2, 2, 2, 0f, nanA, nanA, 1f, c);
            assertEquals(List.of(1f, 2f, 3f, 4f), boxed(c), "alpha = 0 ignores A and B (even NaN)");
            c = new float[] {1f, 2f, 3f, 4f};
            call(vector, 0, 2, 2, 1f, nanA, nanA, 0f, c);
            assertEquals(List.of(1f, 2f, 3f, 4f), boxed(c), "m = 0 touches nothing");
        }
    }

    private static void call(boolean vector, int m, int n, int k, float alpha, float[] a, float[] b,
                             float beta, float[] c) {
        if (vector) {
            Gemm.sgemmVector(false, false, m, n, k, alpha, a, 0, Math.max(1, k), b, 0, Math.max(1, n), beta, c, 0, n);
        } else {
            Gemm.sgemmEjml(false, false, m, n, k, alpha, a, 0, Math.max(1, k), b, 0, Math.max(1, n), beta, c, 0, n);
        }
    }

    @Test
    void badArgumentsAreNamed() {
        float[] x = new float[12];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Gemm.sgemm(false, false, -1, 2, 2, 1f, x, 0, 2, x, 0, 2, 0f, x, 0, 2));
        assertTrue(e.getMessage().contains("m=-1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Gemm.sgemm(false, false, 2, 3, 4, 1f, x, 0, 3, x, 0, 3, 0f, new float[6], 0, 3));
        assertTrue(e.getMessage().contains("A") && e.getMessage().contains("leading dimension is 3"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Gemm.sgemm(false, true, 2, 3, 4, 1f, x, 0, 4, x, 0, 5, 0f, new float[6], 0, 3));
        assertTrue(e.getMessage().contains("B (transposed") && e.getMessage().contains("needs 14"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Gemm.sgemm(false, false, 2, 3, 4, 1f, x, 0, 4, x, 0, 3, 0f, new float[6], 1, 3));
        assertTrue(e.getMessage().contains("C") && e.getMessage().contains("array has 6"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Gemm.sgemm(false, false, 2, 3, 4, 1f, null, 0, 4, x, 0, 3, 0f, new float[6], 0, 3));
        assertTrue(e.getMessage().contains("A is null"), e.getMessage());
    }

    @Test
    void implementationMatchesTheBootLayer() {
        assertEquals(VECTOR_MODULE ? "vector" : "ejml", Gemm.implementation());
    }

    @Test
    void worksInAJvmWithoutTheVectorModule() throws Exception {
        // Gemm must not load VectorGemm (and with it jdk.incubator.vector) unless the
        // module is there: run it in a fresh JVM started without --add-modules.
        String output = ChildJvm.run(Duration.ofSeconds(60), NoVectorMain.class.getName()).assertSucceeded().output();
        assertTrue(output.contains("implementation=ejml"), output);
        assertTrue(output.contains("jdk.incubator.vector not available"), output);
        assertTrue(output.contains("result=OK"), output);
    }

    /** Runs in the child JVM of {@link #worksInAJvmWithoutTheVectorModule()}. */
    static final class NoVectorMain {
        public static void main(String[] args) {
            float[] a = {1, 2, 3, 4, 5, 6};          // 2 x 3
            float[] b = {1, 0, 0, 1, 1, 1};          // 3 x 2
            float[] c = {Float.NaN, 0, 0, 0};
            Gemm.sgemm(false, false, 2, 2, 3, 1f, a, 0, 3, b, 0, 2, 0f, c, 0, 2);
            boolean ok = c[0] == 4 && c[1] == 5 && c[2] == 10 && c[3] == 11;
            System.out.println("implementation=" + Gemm.implementation());
            System.out.println("result=" + (ok ? "OK" : java.util.Arrays.toString(c)));
        }
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a deadlock fails instead of hanging
    void nestedCallsFromPoolTasksDoNotDeadlock() {
        // Each task runs a product big enough to go parallel itself: nested parallelFor.
        int m = 400;
        int n = 320;
        int k = 400;
        assertTrue((long) m * n * k >= Gemm.PARALLEL_THRESHOLD);
        int tasks = 4 * CpuPool.parallelism();
        SplittableRandom rnd = new SplittableRandom(3);
        float[] a = random(rnd, m * k);
        float[] b = random(rnd, k * n);
        float[] expected = new float[m * n];
        Gemm.sgemmEjml(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, expected, 0, n);
        float[][] results = new float[tasks][m * n];
        CpuPool.parallelFor(tasks, 1, (s, e) -> {
            for (int t = s; t < e; t++) {
                Gemm.sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, results[t], 0, n);
            }
        });
        for (float[] r : results) {
            for (int i = 0; i < r.length; i++) {
                assertEquals(expected[i], r[i], 1e-3, "element " + i);
            }
        }
    }

    @Test
    void concurrentCallersGetTheirOwnResults() throws Exception {
        // Packing buffers are recycled between calls: callers on many threads must not share one.
        int threads = 6;
        int[][] shapes = {{150, 90, 600}, {130, 40, 50}, {9, 300, 700}};
        ExecutorService ex = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int[] s = shapes[t % shapes.length];
                long seed = t;
                futures.add(ex.submit(() -> {
                    SplittableRandom rnd = new SplittableRandom(seed);
                    int m = s[0];
                    int n = s[1];
                    int k = s[2];
                    float[] a = random(rnd, m * k);
                    float[] b = random(rnd, n * k);
                    float[] expected = new float[m * n];
                    Gemm.sgemmEjml(false, true, m, n, k, 1f, a, 0, k, b, 0, k, 0f, expected, 0, n);
                    float[] c = new float[m * n];
                    for (int rep = 0; rep < 15; rep++) {
                        Gemm.sgemm(false, true, m, n, k, 1f, a, 0, k, b, 0, k, 0f, c, 0, n);
                        for (int i = 0; i < c.length; i++) {
                            if (Math.abs(c[i] - expected[i]) > 1e-3) {
                                fail("thread seed " + seed + " rep " + rep + " element " + i + ": "
                                        + c[i] + " != " + expected[i]);
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            ex.shutdownNow();
        }
    }

    @Test
    void parallelForCoversTheRangeOnceInChunksOfAtLeastGrain() {
        for (int[] ng : new int[][] {{0, 1}, {1, 1}, {5, 10}, {10, 10}, {11, 5}, {1000, 7}, {100_000, 1}}) {
            int n = ng[0];
            int grain = ng[1];
            AtomicIntegerArray hits = new AtomicIntegerArray(Math.max(1, n));
            List<int[]> chunks = java.util.Collections.synchronizedList(new ArrayList<>());
            CpuPool.parallelFor(n, grain, (s, e) -> {
                chunks.add(new int[] {s, e});
                for (int i = s; i < e; i++) {
                    hits.incrementAndGet(i);
                }
            });
            for (int i = 0; i < n; i++) {
                assertEquals(1, hits.get(i), "n=" + n + " grain=" + grain + " index " + i);
            }
            for (int[] c : chunks) {
                assertTrue(c[1] - c[0] >= Math.min(grain, n), "chunk " + c[0] + ".." + c[1] + " below grain " + grain);
            }
            if (n <= grain) {
                assertTrue(chunks.size() <= 1, "n <= grain must run as one inline chunk");
            }
        }
    }

    @Test
    void parallelForRethrowsAndPoolThreadsAreNamedDaemons() {
        RuntimeException e = assertThrows(RuntimeException.class, () -> CpuPool.parallelFor(100, 1, (s, t) -> {
            if (s == 0) {
                throw new IllegalStateException("boom");
            }
        }));
        assertTrue(e instanceof IllegalStateException || e.getCause() instanceof IllegalStateException, e.toString());
        Thread[] workers = CpuPool.workers();
        assertEquals(CpuPool.parallelism() - 1, workers.length, "the caller is the team's other member");
        for (Thread w : workers) {
            assertTrue(w.getName().startsWith("tessera-cpu-"), w.getName());
            assertTrue(w.isDaemon(), "pool threads must be daemons");
        }
        assertFalse(CpuPool.parallelism() < 1);
    }

    // ------------------------------------------------------------------ helpers

    /** Strided, offset operands for one case, and the expected-value bookkeeping. */
    static final class Operands {
        final int m;
        final int n;
        final int k;
        final boolean transA;
        final boolean transB;
        final int lda;
        final int ldb;
        final int ldc;
        final float[] a;
        final float[] b;

        Operands(int m, int n, int k, boolean transA, boolean transB, SplittableRandom rnd) {
            this.m = m;
            this.n = n;
            this.k = k;
            this.transA = transA;
            this.transB = transB;
            int aRows = transA ? k : m;
            int aCols = transA ? m : k;
            int bRows = transB ? n : k;
            int bCols = transB ? k : n;
            lda = aCols + PAD_A;
            ldb = bCols + PAD_B;
            ldc = n + PAD_C;
            // NaN in the padding: a kernel that reads outside the matrix poisons the result.
            a = new float[OFF_A + aRows * lda + 4];
            java.util.Arrays.fill(a, Float.NaN);
            for (int r = 0; r < aRows; r++) {
                for (int col = 0; col < aCols; col++) {
                    a[OFF_A + r * lda + col] = (float) rnd.nextDouble(-1, 1);
                }
            }
            b = new float[OFF_B + bRows * ldb + 4];
            java.util.Arrays.fill(b, Float.NaN);
            for (int r = 0; r < bRows; r++) {
                for (int col = 0; col < bCols; col++) {
                    b[OFF_B + r * ldb + col] = (float) rnd.nextDouble(-1, 1);
                }
            }
        }

        float opA(int i, int p) {
            return transA ? a[OFF_A + p * lda + i] : a[OFF_A + i * lda + p];
        }

        float opB(int p, int j) {
            return transB ? b[OFF_B + j * ldb + p] : b[OFF_B + p * ldb + j];
        }

        int cIndex(int i, int j) {
            return OFF_C + i * ldc + j;
        }

        double[] referenceProduct() {
            double[] ref = new double[m * n];
            double[] row = new double[k];
            double[] bt = new double[k * n];
            for (int p = 0; p < k; p++) {
                for (int j = 0; j < n; j++) {
                    bt[j * k + p] = opB(p, j);
                }
            }
            for (int i = 0; i < m; i++) {
                for (int p = 0; p < k; p++) {
                    row[p] = opA(i, p);
                }
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    int base = j * k;
                    for (int p = 0; p < k; p++) {
                        s += row[p] * bt[base + p];
                    }
                    ref[i * n + j] = s;
                }
            }
            return ref;
        }

        float[] newC(float fill) {
            float[] c = new float[OFF_C + m * ldc + 3];
            java.util.Arrays.fill(c, SENTINEL);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    c[cIndex(i, j)] = fill;
                }
            }
            return c;
        }

        float[] newC(SplittableRandom rnd) {
            float[] c = newC(0f);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    c[cIndex(i, j)] = (float) rnd.nextDouble(-1, 1);
                }
            }
            return c;
        }

        void assertMatches(String what, double[] expected, double tol, float[] c) {
            for (int idx = 0; idx < c.length; idx++) {
                int rel = idx - OFF_C;
                int i = rel >= 0 ? rel / ldc : -1;
                int j = rel >= 0 ? rel % ldc : -1;
                boolean inside = i >= 0 && i < m && j < n;
                if (!inside) {
                    if (Float.compare(c[idx], SENTINEL) != 0) {
                        fail(what + ": wrote outside C at array index " + idx + " (" + c[idx] + ")");
                    }
                    continue;
                }
                double e = expected[i * n + j];
                double diff = Math.abs(c[idx] - e);
                if (!(diff <= tol)) { // also catches NaN
                    fail(what + ": C(" + i + "," + j + ") = " + c[idx] + ", expected " + e
                            + " (diff " + diff + " > tolerance " + tol + ")");
                }
            }
        }
    }

    private static float[] random(SplittableRandom rnd, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) rnd.nextDouble(-1, 1);
        }
        return x;
    }

    private static List<Float> boxed(float[] x) {
        List<Float> out = new ArrayList<>();
        for (float v : x) {
            out.add(v);
        }
        return out;
    }
}
