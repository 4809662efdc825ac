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
            VectorGemm.sgemm(GemmTuner.variant(), transA, transB, m, n, k, 1f, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, par);
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

    /** Most slices {@link #sumSlices} cuts: enough to keep a pool of 16 threads busy, few enough that merging costs little. */
    static final int MAX_SLICES = 16;

    /** Computes the partial sum of one slice {@code [from, to)}; {@code parallelInner} lets it use the pool itself. */
    @FunctionalInterface
    interface Slice {
        float[] run(int from, int to, boolean parallelInner);
    }

    /**
     * Sums partial results over {@code [0, n)} so that the bits do not depend on the number of
     * threads: {@code [0, n)} is cut into at most {@link #MAX_SLICES} slices of at least {@code
     * minSlice} indices (sizes derived from the problem, never from the pool), {@code body} computes each slice's partial
     * (an array from {@link #take}), and {@code merge} adds the partials on the calling thread in
     * slice order, after which they are given back. With enough slices for every thread they run
     * on the pool, a wave of at most 4 per thread at a time (which bounds the partials held at
     * once); otherwise one after the other, each free to use the pool inside. A fixed-size pool
     * task split (as {@code parallelFor} makes) would change the order of the sums with the
     * thread count, and with it the last bits of a weight gradient.
     */
    static void sumSlices(int n, int minSlice, Slice body, java.util.function.Consumer<float[]> merge) {
        int slice = Math.max(minSlice, (n + MAX_SLICES - 1) / MAX_SLICES);
        int slices = (n + slice - 1) / slice;
        if (!imageParallel(slices)) {
            for (int i = 0; i < slices; i++) {
                float[] part = body.run(i * slice, Math.min(n, (i + 1) * slice), true);
                merge.accept(part);
                give(part);
            }
            return;
        }
        int wave = 4 * CpuPool.parallelism();
        float[][] parts = new float[Math.min(wave, slices)][];
        for (int w0 = 0; w0 < slices; w0 += wave) {
            int first = w0;
            int count = Math.min(wave, slices - w0);
            CpuPool.parallelFor(count, 1, (from, to) -> {
                for (int i = from; i < to; i++) {
                    int start = (first + i) * slice;
                    parts[i] = body.run(start, Math.min(n, start + slice), false);
                }
            });
            for (int i = 0; i < count; i++) {
                merge.accept(parts[i]);
                give(parts[i]);
                parts[i] = null;
            }
        }
    }
}
