package dev.tessera.cpu;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code C = alpha*op(A)*op(B) + beta*C} for an op(A) of at most {@link #MAX_ROWS} rows: a model
 * run on one or a few examples (inference at batch 1, one decoding step), where {@link VectorGemm}
 * would pack all of B into column panels for a handful of rows to use once. Here B is read once,
 * in place, in memory order:
 * <ul>
 *   <li>B not transposed ({@code [k, n]}, a weight in {@code x W} form): each row of B is added,
 *       scaled by A's element, to the rows of C being accumulated, which stay in the first-level
 *       cache. Every element is the same chain of fused multiply-adds over k, in the same k
 *       blocks of {@link VectorGemm#KC}, stored with the same formula, as in {@link VectorGemm}:
 *       the same bits.</li>
 *   <li>B transposed ({@code [n, k]}, a linear layer's {@code [out, in]} weight): every element of
 *       C is the dot product of two contiguous rows, summed in {@code LN} lane-wise partial sums
 *       added up lane by lane in a fixed order, then the tail of k. These bits differ from the
 *       many-row path's in the last places (float rounding), as PyTorch's batch-1 products differ
 *       from its batched ones; they do not depend on the thread count or on what the JIT has
 *       compiled.</li>
 * </ul>
 * Measured on an AMD EPYC (Zen 5), 1 thread, {@code [1, 1024] x [1024, 1024]^T}: 395 µs packed
 * against about 40 µs here.
 */
final class FewRowsGemm {
    /** The most rows of op(A) taken here: fewer than one register tile of {@link VectorGemm}. */
    static final int MAX_ROWS = VectorGemm.MR - 1;

    private static final VectorSpecies<Float> S = VectorGemm.SPECIES;
    private static final int LN = VectorGemm.LN;
    private static final int KC = VectorGemm.KC;
    /** Floats of C one column chunk accumulates (rows times columns): 16 KiB, in the first-level cache. */
    private static final int CHUNK_FLOATS = 4096;
    /** Rows of a transposed B whose dot products run together, each row of A read once for all of them. */
    private static final int DOT_ROWS = 4;

    private FewRowsGemm() {
    }

    /** Whether a product with {@code m} rows of op(A) runs here. */
    static boolean applies(int m) {
        return m <= MAX_ROWS;
    }

    /**
     * The product, with the arguments of {@link VectorGemm#sgemm} ({@code 1 <= m <= MAX_ROWS}).
     * Modifies only {@code c[cOff + i*ldc + j]} for {@code i < m, j < n}; column chunks (or
     * blocks of B's rows) are spread over {@link CpuPool} when {@code parallel}.
     */
    static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                      float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc, boolean parallel) {
        float[] rows = a;
        int rowsOff = aOff;
        int rowStride = lda;
        if (transA) { // op(A)'s few rows, made contiguous: m * k floats
            rows = new float[m * k];
            for (int i = 0; i < m; i++) {
                for (int p = 0; p < k; p++) {
                    rows[i * k + p] = a[aOff + p * lda + i];
                }
            }
            rowsOff = 0;
            rowStride = k;
        }
        float[] ar = rows;
        int ao = rowsOff;
        int as = rowStride;
        if (transB) {
            int blocks = (n + DOT_ROWS - 1) / DOT_ROWS;
            run(parallel, blocks, (from, to) -> {
                float[] lanes = new float[LN];
                float[] dots = new float[DOT_ROWS];
                for (int blk = from; blk < to; blk++) {
                    int j0 = blk * DOT_ROWS;
                    dotBlock(m, k, alpha, ar, ao, as, b, bOff + j0 * ldb, ldb, Math.min(DOT_ROWS, n - j0), beta, c,
                            cOff + j0, ldc, lanes, dots);
                }
            });
        } else {
            int width = Math.max(LN, CHUNK_FLOATS / m / LN * LN);
            int chunks = (n + width - 1) / width;
            run(parallel, chunks, (from, to) -> {
                float[] acc = new float[m * width];
                for (int ch = from; ch < to; ch++) {
                    int j0 = ch * width;
                    streamChunk(m, k, alpha, ar, ao, as, b, bOff + j0, ldb, Math.min(width, n - j0), beta, c, cOff + j0,
                            ldc, acc);
                }
            });
        }
    }

    private static void run(boolean parallel, int n, IntRangeConsumer body) {
        if (parallel && n > 1) {
            CpuPool.parallelFor(n, 1, body);
        } else {
            body.accept(0, n);
        }
    }

    /**
     * Columns {@code [0, w)} of C (from {@code cOff}) with B not transposed: per k block, {@code
     * acc = sum_p A(i, p) B(p, j)} by one fused multiply-add per p, then stored into C as {@link
     * VectorGemm} stores a tile. The rows go four at a time (a group of fewer repeats its last
     * row, computed twice and stored once), so that each vector of B is loaded once for them; a
     * single row goes alone.
     */
    private static void streamChunk(int m, int k, float alpha, float[] a, int aOff, int lda, float[] b, int bOff,
                                    int ldb, int w, float beta, float[] c, int cOff, int ldc, float[] acc) {
        for (int pc = 0; pc < k; pc += KC) {
            int end = Math.min(k, pc + KC);
            Arrays.fill(acc, 0, m * w, 0f);
            for (int i0 = 0; i0 < m; i0 += 4) {
                int rows = Math.min(4, m - i0);
                if (rows == 1) {
                    accumulateRow(aOff + i0 * lda, pc, end, a, b, bOff, ldb, w, acc, i0 * w);
                } else {
                    int last = rows - 1;
                    accumulateFourRows(pc, end, a, aOff + i0 * lda, Math.min(1, last) * lda, Math.min(2, last) * lda,
                            Math.min(3, last) * lda, b, bOff, ldb, w, acc, i0 * w, Math.min(1, last) * w,
                            Math.min(2, last) * w, Math.min(3, last) * w);
                }
            }
            int wv = w / LN * LN;
            for (int i = 0; i < m; i++) {
                storeRow(acc, i * w, w, wv, alpha, beta, pc == 0, c, cOff + i * ldc);
            }
        }
    }

    /**
     * {@code acc[at + j] += sum over p in [p0, p1) of a[ai + p] * B(p, j)}, one fused multiply-add
     * per p, four p's per pass over {@code acc} (the same chain).
     */
    private static void accumulateRow(int ai, int p0, int p1, float[] a, float[] b, int bOff, int ldb, int w,
                                      float[] acc, int at) {
        int wv = w / LN * LN;
        int p = p0;
        for (; p + 4 <= p1; p += 4) {
            int bp = bOff + p * ldb;
            float x0 = a[ai + p];
            float x1 = a[ai + p + 1];
            float x2 = a[ai + p + 2];
            float x3 = a[ai + p + 3];
            FloatVector v0 = FloatVector.broadcast(S, x0);
            FloatVector v1 = FloatVector.broadcast(S, x1);
            FloatVector v2 = FloatVector.broadcast(S, x2);
            FloatVector v3 = FloatVector.broadcast(S, x3);
            for (int j = 0; j < wv; j += LN) {
                FloatVector r = v0.fma(FloatVector.fromArray(S, b, bp + j), FloatVector.fromArray(S, acc, at + j));
                r = v1.fma(FloatVector.fromArray(S, b, bp + ldb + j), r);
                r = v2.fma(FloatVector.fromArray(S, b, bp + 2 * ldb + j), r);
                r = v3.fma(FloatVector.fromArray(S, b, bp + 3 * ldb + j), r);
                r.intoArray(acc, at + j);
            }
            for (int j = wv; j < w; j++) {
                float r = Math.fma(x0, b[bp + j], acc[at + j]);
                r = Math.fma(x1, b[bp + ldb + j], r);
                r = Math.fma(x2, b[bp + 2 * ldb + j], r);
                acc[at + j] = Math.fma(x3, b[bp + 3 * ldb + j], r);
            }
        }
        for (; p < p1; p++) {
            int bp = bOff + p * ldb;
            float x = a[ai + p];
            FloatVector v = FloatVector.broadcast(S, x);
            for (int j = 0; j < wv; j += LN) {
                v.fma(FloatVector.fromArray(S, b, bp + j), FloatVector.fromArray(S, acc, at + j)).intoArray(acc, at + j);
            }
            for (int j = wv; j < w; j++) {
                acc[at + j] = Math.fma(x, b[bp + j], acc[at + j]);
            }
        }
    }

    /**
     * {@link #accumulateRow} for four rows of A ({@code ai} plus offsets {@code o1..o3}) into four
     * rows of {@code acc} ({@code at} plus {@code t1..t3}), each vector of B loaded once for all.
     */
    private static void accumulateFourRows(int p0, int p1, float[] a, int ai, int o1, int o2, int o3, float[] b,
                                           int bOff, int ldb, int w, float[] acc, int at, int t1, int t2, int t3) {
        int wv = w / LN * LN;
        for (int p = p0; p < p1; p++) {
            int bp = bOff + p * ldb;
            float x0 = a[ai + p];
            float x1 = a[ai + o1 + p];
            float x2 = a[ai + o2 + p];
            float x3 = a[ai + o3 + p];
            FloatVector v0 = FloatVector.broadcast(S, x0);
            FloatVector v1 = FloatVector.broadcast(S, x1);
            FloatVector v2 = FloatVector.broadcast(S, x2);
            FloatVector v3 = FloatVector.broadcast(S, x3);
            for (int j = 0; j < wv; j += LN) {
                FloatVector bv = FloatVector.fromArray(S, b, bp + j);
                FloatVector r0 = v0.fma(bv, FloatVector.fromArray(S, acc, at + j));
                FloatVector r1 = v1.fma(bv, FloatVector.fromArray(S, acc, at + t1 + j));
                FloatVector r2 = v2.fma(bv, FloatVector.fromArray(S, acc, at + t2 + j));
                FloatVector r3 = v3.fma(bv, FloatVector.fromArray(S, acc, at + t3 + j));
                r3.intoArray(acc, at + t3 + j);
                r2.intoArray(acc, at + t2 + j);
                r1.intoArray(acc, at + t1 + j);
                r0.intoArray(acc, at + j);
            }
            for (int j = wv; j < w; j++) {
                float y = b[bp + j];
                float r0 = Math.fma(x0, y, acc[at + j]);
                float r1 = Math.fma(x1, y, acc[at + t1 + j]);
                float r2 = Math.fma(x2, y, acc[at + t2 + j]);
                float r3 = Math.fma(x3, y, acc[at + t3 + j]);
                acc[at + t3 + j] = r3;
                acc[at + t2 + j] = r2;
                acc[at + t1 + j] = r1;
                acc[at + j] = r0;
            }
        }
    }

    /**
     * One accumulated row into C with {@link VectorGemm}'s store formula (see {@code
     * VectorGemm.store}). Not shared with it: a tile's store, whose rows are one fixed width, ran
     * 4% of a Transformer layer's step slower through this general loop.
     */
    private static void storeRow(float[] acc, int at, int w, int wv, float alpha, float beta, boolean first, float[] c,
                                 int ci) {
        boolean overwrite = first && beta == 0f;
        boolean scale = first && beta != 1f && beta != 0f;
        boolean scaleTile = alpha != 1f;
        for (int j = 0; j < wv; j += LN) {
            FloatVector x = FloatVector.fromArray(S, acc, at + j);
            if (scaleTile) {
                x = x.mul(alpha);
            }
            if (!overwrite) {
                FloatVector old = FloatVector.fromArray(S, c, ci + j);
                x = scale ? old.mul(beta).add(x) : old.add(x);
            }
            x.intoArray(c, ci + j);
        }
        for (int j = wv; j < w; j++) {
            float x = alpha * acc[at + j];
            if (overwrite) {
                c[ci + j] = x;
            } else if (scale) {
                c[ci + j] = beta * c[ci + j] + x;
            } else {
                c[ci + j] += x;
            }
        }
    }

    /**
     * Columns {@code [0, rows)} of C (from {@code cOff}) with B transposed: {@code rows} rows of B
     * (from {@code bOff}, {@code ldb} apart) dotted with each row of A; {@code lanes} ({@code LN}
     * floats) and {@code dots} ({@code DOT_ROWS}) are scratch, reused across blocks.
     */
    private static void dotBlock(int m, int k, float alpha, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                 int rows, float beta, float[] c, int cOff, int ldc, float[] lanes, float[] dots) {
        // Rows past the block repeat its last one (computed, never stored), so no read leaves B.
        int o1 = Math.min(1, rows - 1) * ldb;
        int o2 = Math.min(2, rows - 1) * ldb;
        int o3 = Math.min(3, rows - 1) * ldb;
        int kv = k / LN * LN;
        for (int i = 0; i < m; i++) {
            int ai = aOff + i * lda;
            FloatVector s0 = FloatVector.zero(S);
            FloatVector s1 = FloatVector.zero(S);
            FloatVector s2 = FloatVector.zero(S);
            FloatVector s3 = FloatVector.zero(S);
            for (int p = 0; p < kv; p += LN) {
                FloatVector x = FloatVector.fromArray(S, a, ai + p);
                s0 = x.fma(FloatVector.fromArray(S, b, bOff + p), s0);
                s1 = x.fma(FloatVector.fromArray(S, b, bOff + o1 + p), s1);
                s2 = x.fma(FloatVector.fromArray(S, b, bOff + o2 + p), s2);
                s3 = x.fma(FloatVector.fromArray(S, b, bOff + o3 + p), s3);
            }
            dots[0] = finish(s0, lanes, a, ai, b, bOff, kv, k);
            dots[1] = finish(s1, lanes, a, ai, b, bOff + o1, kv, k);
            dots[2] = finish(s2, lanes, a, ai, b, bOff + o2, kv, k);
            dots[3] = finish(s3, lanes, a, ai, b, bOff + o3, kv, k);
            int ci = cOff + i * ldc;
            for (int r = 0; r < rows; r++) {
                float x = alpha * dots[r];
                c[ci + r] = beta == 0f ? x : beta == 1f ? c[ci + r] + x : beta * c[ci + r] + x;
            }
        }
    }

    /**
     * A dot product from its lane-wise partial sums: the lanes added in order (not with the
     * Vector API's reduction, whose order may change once the JIT compiles it), then the products
     * of k's tail {@code [kv, k)}.
     */
    private static float finish(FloatVector partial, float[] lanes, float[] a, int ai, float[] b, int bi, int kv, int k) {
        partial.intoArray(lanes, 0);
        float s = lanes[0];
        for (int l = 1; l < LN; l++) {
            s += lanes[l];
        }
        for (int p = kv; p < k; p++) {
            s = Math.fma(a[ai + p], b[bi + p], s);
        }
        return s;
    }
}
