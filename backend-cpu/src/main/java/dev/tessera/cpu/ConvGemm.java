package dev.tessera.cpu;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the convolution kernels need around {@link Gemm}: a GEMM whose threading the caller
 * chooses (a kernel that already spreads images over the pool runs each product on its own thread),
 * the image-parallel policy, and a small pool of reusable scratch arrays.
 */
final class ConvGemm {
    /** Multiply-adds a pool task should at least do, so that task overhead stays negligible. */
    static final long MIN_TASK_MACS = 1L << 20;

    /** Whether the Vector API kernels ({@link VectorGemm}, {@link ImplicitConv}) may be used. */
    static final boolean VECTOR = Gemm.implementation().equals("vector");
    private static final ConcurrentLinkedQueue<float[]> FREE = new ConcurrentLinkedQueue<>();
    private static final AtomicInteger FREE_COUNT = new AtomicInteger();
    /** Scratch arrays kept for reuse; a training step needs a few per thread. */
    private static final int MAX_FREE = 2 * CpuPool.parallelism() + 4;

    private ConvGemm() {
    }

    /**
     * {@code C = op(A) op(B) + beta C} as {@link Gemm#sgemm} with alpha 1, on the pool only when
     * {@code parallel} (and the product is large enough), else on the calling thread.
     */
    static void sgemm(boolean parallel, boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff, int lda,
                      float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        if (m <= 0 || n <= 0) {
            return;
        }
        if (VECTOR && k > 0) {
            boolean par = parallel && CpuPool.parallelism() > 1 && (long) m * n * k >= Gemm.PARALLEL_THRESHOLD;
            VectorGemm.sgemm(transA, transB, m, n, k, 1f, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, par);
        } else {
            Gemm.sgemm(transA, transB, m, n, k, 1f, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        }
    }

    /**
     * Whether to spread {@code n} images over the pool (each image's products then run
     * single-threaded) rather than run the images in turn with multithreaded products: when every
     * worker gets a fair share of whole images.
     */
    static boolean imageParallel(int n) {
        int t = CpuPool.parallelism();
        return t > 1 && n >= t && (n % t == 0 || n >= 4 * t);
    }

    /** The smallest number of images per pool task for images of {@code macsPerImage} multiply-adds. */
    static int grain(long macsPerImage) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, MIN_TASK_MACS / Math.max(1, macsPerImage)));
    }

    /** Returns a scratch array of at least {@code size} floats with arbitrary contents. */
    static float[] take(int size) {
        for (int tries = 0; tries < 4; tries++) {
            float[] f = FREE.poll();
            if (f == null) {
                break;
            }
            FREE_COUNT.decrementAndGet();
            if (f.length >= size) {
                return f;
            }
        }
        return new float[size];
    }

    /** Returns a scratch array of at least {@code size} floats, all zero. */
    static float[] takeZeroed(int size) {
        float[] f = take(size);
        java.util.Arrays.fill(f, 0, size, 0f);
        return f;
    }

    /** Gives back an array from {@link #take} for reuse; null is ignored. */
    static void give(float[] f) {
        if (f != null && FREE_COUNT.incrementAndGet() <= MAX_FREE) {
            FREE.offer(f);
        } else if (f != null) {
            FREE_COUNT.decrementAndGet();
        }
    }

    /**
     * Per-task partial results collected from a parallel loop and consumed in the order of the
     * tasks' first index, so that sums over them (weight gradients) are the same on every run
     * whatever order the tasks finished in.
     */
    static final class Partials {
        private final java.util.TreeMap<Integer, float[]> parts = new java.util.TreeMap<>();

        /** Records the partial result of the task that started at index {@code from}; thread-safe. */
        synchronized void put(int from, float[] part) {
            parts.put(from, part);
        }

        /** Passes every partial to {@code sink} in order of its task's first index, then gives the arrays back. */
        void drain(java.util.function.Consumer<float[]> sink) {
            for (float[] part : parts.values()) {
                sink.accept(part);
                give(part);
            }
            parts.clear();
        }
    }
}
