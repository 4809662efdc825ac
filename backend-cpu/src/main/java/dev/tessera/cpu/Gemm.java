package dev.tessera.cpu;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Single-precision general matrix multiply on the CPU:
 * {@code C = alpha*op(A)*op(B) + beta*C} on row-major {@code float[]} storage, as BLAS
 * {@code sgemm} does for column-major storage.
 *
 * <p>Two implementations, chosen once per JVM:
 * <ul>
 *   <li>{@code "vector"}: a packed, register-tiled kernel written with the Java Vector
 *       API ({@link VectorGemm}); needs the JVM started with
 *       {@code --add-modules jdk.incubator.vector}.</li>
 *   <li>{@code "ejml"}: EJML's {@code CommonOps_FDRM} / {@code CommonOps_MT_FDRM}
 *       ({@link EjmlGemm}), 10-30 times slower, used when the module is missing.</li>
 * </ul>
 * Which one runs is logged once at INFO level and returned by {@link #implementation()}.
 * {@code -Dtessera.gemm=ejml} (or {@code vector}) forces a choice, e.g. to compare them.
 *
 * <p>Products of at least about 100^3 multiply-adds are spread over
 * {@link CpuPool} (as many of its threads as the caller's {@link dev.tessera.KernelThreads}
 * limit allows); smaller ones run on the calling thread, where starting tasks would
 * cost more than it saves. Every method is safe to call from many threads at once.
 */
public final class Gemm {

    private static final Logger LOG = LoggerFactory.getLogger(Gemm.class);

    /** The system property that forces an implementation: {@code vector} or {@code ejml}. */
    public static final String IMPLEMENTATION_PROPERTY = "tessera.gemm";

    /**
     * Multiply-adds ({@code m*n*k}) from which a product runs on the pool, about 100^3. Measured
     * on an idle 2-core machine, best of 9 after warm-up, one thread against two: 64x256x128
     * 28 against 19 µs, 128^3 28 against 21 µs, 64x128x64 (0.5M) 9.5 against 10 µs.
     */
    static final long PARALLEL_THRESHOLD = 1_000_000L;

    private static final String VECTOR_MODULE = "jdk.incubator.vector";

    /** Fewest float lanes (128-bit vectors) for which the Vector API kernel beats EJML. */
    private static final int MIN_LANES = 4;

    /** True when the Vector API is usable: the module is present and VectorGemm initialised. */
    private static final boolean VECTOR = chooseVector();

    private Gemm() {
    }

    /**
     * The implementation in use.
     *
     * @return {@code "vector"} or {@code "ejml"}
     */
    public static String implementation() {
        return VECTOR ? "vector" : "ejml";
    }

    /**
     * {@code C = alpha*op(A)*op(B) + beta*C}, row-major storage. op(A) is m x k, op(B) is
     * k x n, C is m x n.
     *
     * <p>{@code transA}: A is stored as k x m (element (i,p) of op(A) at
     * {@code a[aOff + p*lda + i]}), else m x k ({@code a[aOff + i*lda + p]}). Same for B
     * with n in place of m: element (p,j) of op(B) is at {@code b[bOff + j*ldb + p]} when
     * {@code transB}, else at {@code b[bOff + p*ldb + j]}. Element (i,j) of C is at
     * {@code c[cOff + i*ldc + j]}.
     *
     * <p>Modifies only those m*n elements of {@code c}; A and B are read only and must not
     * overlap the part of C that is written. As in BLAS, {@code beta == 0} overwrites C
     * without reading it (NaN or infinity in C does not survive), and {@code alpha == 0}
     * or {@code k == 0} only scales C by beta without reading A or B.
     *
     * @param transA whether A is stored transposed (k x m)
     * @param transB whether B is stored transposed (n x k)
     * @param m      rows of op(A) and of C, {@code >= 0}
     * @param n      columns of op(B) and of C, {@code >= 0}
     * @param k      columns of op(A) and rows of op(B), {@code >= 0}
     * @param alpha  scale of the product
     * @param a      storage of A
     * @param aOff   index of A's first element in {@code a}
     * @param lda    distance between consecutive stored rows of A, {@code >=} its stored columns
     * @param b      storage of B
     * @param bOff   index of B's first element in {@code b}
     * @param ldb    distance between consecutive stored rows of B, {@code >=} its stored columns
     * @param beta   scale of the old C
     * @param c      storage of C; modified
     * @param cOff   index of C's first element in {@code c}
     * @param ldc    distance between consecutive rows of C, {@code >= n}
     * @throws IllegalArgumentException if a size is negative, a leading dimension is too
     *                                  small, an array is null or too short for the
     *                                  described matrix; the message names the bad values
     */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc) {
        if (VECTOR) {
            sgemmVector(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        } else {
            sgemmEjml(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        }
    }

    /**
     * {@link #sgemm} with the Vector API kernel, whatever {@link #implementation()} says.
     *
     * @throws UnsupportedOperationException if the Vector API is not available
     */
    static void sgemmVector(boolean transA, boolean transB, int m, int n, int k, float alpha,
                            float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                            float beta, float[] c, int cOff, int ldc) {
        if (!VECTOR && !vectorModulePresent()) {
            throw new UnsupportedOperationException(
                    "sgemm: the Vector API kernel needs the JVM option --add-modules " + VECTOR_MODULE);
        }
        if (prologue(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc)) {
            VectorGemm.sgemm(GemmTuner.variant(), transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb,
                    beta, c, cOff, ldc, CpuPool.callerParallelism() > 1 && (long) m * n * k >= PARALLEL_THRESHOLD);
        }
    }

    /** {@link #sgemm} with EJML, whatever {@link #implementation()} says. */
    static void sgemmEjml(boolean transA, boolean transB, int m, int n, int k, float alpha,
                          float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                          float beta, float[] c, int cOff, int ldc) {
        if (prologue(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc)) {
            EjmlGemm.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb,
                    beta, c, cOff, ldc, parallel(m, n, k));
        }
    }

    /**
     * Whether EJML multiplies on its own threads: decided by the pool's size, not by a caller's
     * {@link dev.tessera.KernelThreads} limit, since EJML's threaded products need not give the
     * bits of its single-threaded ones. (The Vector API kernel gives the same bits either way and
     * follows the caller's limit.)
     */
    private static boolean parallel(int m, int n, int k) {
        return CpuPool.parallelism() > 1 && (long) m * n * k >= PARALLEL_THRESHOLD;
    }

    /**
     * Validates the arguments and handles the cases with no product to compute.
     *
     * @return true if a kernel must still compute the product ({@code m, n, k >= 1},
     *         {@code alpha != 0})
     */
    private static boolean prologue(boolean transA, boolean transB, int m, int n, int k, float alpha,
                                    float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                    float beta, float[] c, int cOff, int ldc) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException(
                    "sgemm: negative size m=" + m + ", n=" + n + ", k=" + k);
        }
        checkMatrix("C", c, cOff, ldc, m, n);
        if (m == 0 || n == 0) {
            return false;
        }
        if (k > 0 && alpha != 0f) {
            // Only check (and later read) A and B when the product is computed, as BLAS does.
            checkMatrix(transA ? "A (transposed, stored k x m)" : "A", a, aOff, lda,
                    transA ? k : m, transA ? m : k);
            checkMatrix(transB ? "B (transposed, stored n x k)" : "B", b, bOff, ldb,
                    transB ? n : k, transB ? k : n);
            return true; // the kernels apply beta themselves, in one pass over C
        }
        if (beta != 1f) {
            scale(m, n, beta, c, cOff, ldc);
        }
        return false;
    }

    /** C = beta*C, with beta == 0 writing zeros (BLAS: NaN in C does not survive). */
    private static void scale(int m, int n, float beta, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            int row = cOff + i * ldc;
            for (int j = 0; j < n; j++) {
                c[row + j] = beta == 0f ? 0f : beta * c[row + j];
            }
        }
    }

    /** Checks that {@code rows x cols} with leading dimension {@code ld} at {@code off} fits. */
    private static void checkMatrix(String name, float[] x, int off, int ld, int rows, int cols) {
        if (x == null) {
            throw new IllegalArgumentException("sgemm: " + name + " is null");
        }
        if (off < 0) {
            throw new IllegalArgumentException("sgemm: " + name + " offset " + off + " is negative");
        }
        if (ld < Math.max(1, cols)) {
            throw new IllegalArgumentException("sgemm: " + name + " is " + rows + " x " + cols
                    + " but its leading dimension is " + ld + " (must be >= " + Math.max(1, cols) + ")");
        }
        if (rows == 0 || cols == 0) {
            return;
        }
        long last = off + (long) (rows - 1) * ld + cols - 1;
        if (last >= x.length) {
            throw new IllegalArgumentException("sgemm: " + name + " is " + rows + " x " + cols
                    + " with offset " + off + " and leading dimension " + ld + ", which needs "
                    + (last + 1) + " elements, but the array has " + x.length);
        }
    }

    /** Whether {@link #sgemm} runs the Vector API kernels ({@link VectorGemm}) in this JVM. */
    static boolean usesVectorApi() {
        return VECTOR;
    }

    private static boolean vectorModulePresent() {
        return ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();
    }

    private static boolean chooseVector() {
        String forced = System.getProperty(IMPLEMENTATION_PROPERTY, "").trim();
        boolean present = vectorModulePresent();
        if (forced.equalsIgnoreCase("ejml")) {
            LOG.info("Tessera CPU GEMM: EJML (forced by -D{}=ejml)", IMPLEMENTATION_PROPERTY);
            return false;
        }
        if (!forced.isEmpty() && !forced.equalsIgnoreCase("vector")) {
            LOG.warn("Ignoring -D{}={}: expected 'vector' or 'ejml'", IMPLEMENTATION_PROPERTY, forced);
        }
        if (!present) {
            LOG.info("Tessera CPU GEMM: {} not available (start the JVM with --add-modules {} for "
                    + "10-30x faster matrix multiply); using EJML", VECTOR_MODULE, VECTOR_MODULE);
            return false;
        }
        int lanes;
        try {
            // First reference to VectorGemm: only here, after the module check, is it loaded.
            lanes = VectorGemm.lanes();
        } catch (LinkageError | RuntimeException e) {
            LOG.warn("Tessera CPU GEMM: the Java Vector API failed to initialise ({}); using EJML",
                    e.toString());
            return false;
        }
        if (lanes < MIN_LANES && !forced.equalsIgnoreCase("vector")) {
            // Without SIMD registers the Vector API runs as plain Java objects: slower than EJML.
            LOG.info("Tessera CPU GEMM: the Java Vector API has only {} float lane(s) on this CPU; "
                    + "using EJML", lanes);
            return false;
        }
        LOG.info("Tessera CPU GEMM: Java Vector API, {} float lanes", lanes);
        return true;
    }
}
