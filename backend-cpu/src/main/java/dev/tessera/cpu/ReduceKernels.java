package dev.tessera.cpu;

import dev.tessera.spi.ReduceOp;
import java.util.Arrays;

/**
 * Reductions and softmax over the middle axis of a contiguous block {@code [outer, n, inner]}.
 * Rows ({@code inner == 1}) are split over the pool by rows, or into fixed pieces when there are
 * few long rows; columns ({@code inner > 1}) by column chunks, and are walked row by row
 * (contiguous loads) with per-column state in small buffers. Sums accumulate in double (rows) or
 * in float over blocks of {@link #ROW_BLOCK} rows added into doubles (columns), so long
 * reductions stay accurate. Every result is independent of the number of threads.
 *
 * <p>Each kernel has a Java Vector API path ({@link VectorReduce}, {@link VectorSoftmax}) used
 * when {@link Simd} allows it, and the scalar loops here otherwise; the {@code simd} parameter of
 * the package-private overloads chooses, for tests that compare the two.
 */
final class ReduceKernels {
    /** Rows whose column sums accumulate in float before they are added into the double totals. */
    static final int ROW_BLOCK = 64;
    /** Elements of one piece when few long rows are split over the pool (fixed: results do not depend on threads). */
    static final int PIECE = 1 << 15;
    /** Widest column chunk: its float and double buffers stay in the L1/L2 cache. */
    private static final int MAX_CHUNK = 2048;

    private ReduceKernels() {
    }

    /** Reduces each line {@code x[xo + o*n*inner + j*inner + c]}, {@code j < n}, into {@code outF} or (arg ops) {@code outI}. */
    static void reduce(ReduceOp op, float[] x, int xo, int outer, int n, int inner, float[] outF, int[] outI, int oo) {
        reduce(op, x, xo, outer, n, inner, outF, outI, oo, Simd.ENABLED);
    }

    /**
     * As {@link #reduce(ReduceOp, float[], int, int, int, int, float[], int[], int)}; {@code simd}
     * (true only where {@link Simd#ENABLED}) picks the vector path.
     */
    static void reduce(ReduceOp op, float[] x, int xo, int outer, int n, int inner, float[] outF, int[] outI, int oo,
                       boolean simd) {
        long work = (long) outer * n * inner;
        int threads = CpuPool.parallelism();
        if (inner == 1) {
            if (threads > 1 && outer < 2 * threads && n >= 4 * PIECE) {
                longRows(op, x, xo, outer, n, outF, outI, oo, simd);
            } else if (work < StridedLoop.PARALLEL_GRAIN || outer == 1) {
                rows(op, x, xo, 0, outer, n, outF, outI, oo, simd);
            } else {
                int grain = (int) Math.max(1, StridedLoop.PARALLEL_GRAIN / Math.max(1L, n));
                CpuPool.parallelFor(outer, grain, (s, e) -> rows(op, x, xo, s, e, n, outF, outI, oo, simd));
            }
            return;
        }
        int chunk = columnChunk(outer, inner, work);
        int chunks = (inner + chunk - 1) / chunk;
        CpuPool.parallelFor(outer * chunks, work < StridedLoop.PARALLEL_GRAIN ? outer * chunks : 1, (s, e) -> {
            float[] facc = new float[Math.min(chunk, inner)];
            double[] dacc = new double[facc.length];
            for (int t = s; t < e; t++) {
                int o = t / chunks;
                int c0 = (t % chunks) * chunk;
                int c1 = Math.min(inner, c0 + chunk);
                columns(op, x, xo + o * n * inner, n, inner, c0, c1, outF, outI, oo + o * inner, facc, dacc, simd);
            }
        });
    }

    /** Columns per task: all of them when the outer blocks alone keep the pool busy, else chunks of at least 64. */
    private static int columnChunk(int outer, int inner, long work) {
        int threads = CpuPool.parallelism();
        int chunks = 1;
        if (work >= StridedLoop.PARALLEL_GRAIN && outer < 4 * threads) {
            chunks = Math.max(1, Math.min(inner / 64, (4 * threads + outer - 1) / outer));
        }
        int chunk = Math.min(MAX_CHUNK, (inner + chunks - 1) / chunks);
        return chunk < inner ? (chunk + 15) & ~15 : chunk; // whole vectors per chunk
    }

    private static void rows(ReduceOp op, float[] x, int xo, int start, int end, int n, float[] outF, int[] outI, int oo,
                             boolean simd) {
        for (int r = start; r < end; r++) {
            int base = xo + r * n;
            switch (op) {
                case SUM -> outF[oo + r] = (float) rowSum(x, base, n, simd);
                case MAX, MIN -> outF[oo + r] = x[base + rowArgBest(x, base, n, op == ReduceOp.MAX, simd)];
                case ARGMAX, ARGMIN -> outI[oo + r] = rowArgBest(x, base, n, op == ReduceOp.ARGMAX, simd);
            }
        }
    }

    /** Few long rows: fixed pieces of {@link #PIECE} in parallel, then each row's pieces combined in order. */
    private static void longRows(ReduceOp op, float[] x, int xo, int outer, int n, float[] outF, int[] outI, int oo,
                                 boolean simd) {
        int pieces = (n + PIECE - 1) / PIECE;
        boolean sum = op == ReduceOp.SUM;
        boolean max = op == ReduceOp.MAX || op == ReduceOp.ARGMAX;
        double[] sums = new double[outer * pieces];
        int[] best = new int[outer * pieces];
        CpuPool.parallelFor(outer * pieces, 1, (s, e) -> {
            for (int t = s; t < e; t++) {
                int from = (t % pieces) * PIECE;
                int len = Math.min(PIECE, n - from);
                int base = xo + (t / pieces) * n + from;
                if (sum) {
                    sums[t] = rowSum(x, base, len, simd);
                } else {
                    best[t] = from + rowArgBest(x, base, len, max, simd);
                }
            }
        });
        for (int r = 0; r < outer; r++) {
            int base = xo + r * n;
            if (sum) {
                double total = 0;
                for (int p = 0; p < pieces; p++) {
                    total += sums[r * pieces + p];
                }
                outF[oo + r] = (float) total;
                continue;
            }
            // The first piece's best is the running best; a later piece wins only if strictly better or the first NaN.
            int idx = best[r * pieces];
            for (int p = 1; p < pieces && !Float.isNaN(x[base + idx]); p++) {
                int cand = best[r * pieces + p];
                float v = x[base + cand];
                if (Float.isNaN(v) || (max ? v > x[base + idx] : v < x[base + idx])) {
                    idx = cand;
                }
            }
            if (op == ReduceOp.ARGMAX || op == ReduceOp.ARGMIN) {
                outI[oo + r] = idx;
            } else {
                outF[oo + r] = x[base + idx];
            }
        }
    }

    /** {@code sum(x[base .. base+n))} in double (the vector path: float blocks added into a double). */
    static double rowSum(float[] x, int base, int n, boolean simd) {
        if (simd && n >= Simd.MIN_LENGTH) {
            return VectorReduce.sum(x, base, n);
        }
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            s0 += x[base + i];
            s1 += x[base + i + 1];
            s2 += x[base + i + 2];
            s3 += x[base + i + 3];
        }
        for (; i < n; i++) {
            s0 += x[base + i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** Index of the first maximum (or minimum) of {@code x[base .. base+n)}, the first NaN winning. */
    static int rowArgBest(float[] x, int base, int n, boolean max, boolean simd) {
        if (simd && n >= Simd.MIN_LENGTH) {
            return VectorReduce.argBest(x, base, n, max);
        }
        return argBest(x, base, n, 1, max);
    }

    /** Index of the first maximum (or minimum); the first NaN wins, as NaN propagates in max/min. */
    private static int argBest(float[] x, int base, int n, int stride, boolean max) {
        int best = 0;
        float bv = x[base];
        if (Float.isNaN(bv)) {
            return 0;
        }
        for (int i = 1; i < n; i++) {
            float v = x[base + i * stride];
            if (Float.isNaN(v)) {
                return i;
            }
            if (max ? v > bv : v < bv) {
                bv = v;
                best = i;
            }
        }
        return best;
    }

    /** Columns {@code c0 <= c < c1} of one block; {@code facc}, {@code dacc}: buffers of at least {@code c1 - c0}. */
    private static void columns(ReduceOp op, float[] x, int base, int n, int inner, int c0, int c1, float[] outF, int[] outI,
                                int oo, float[] facc, double[] dacc, boolean simd) {
        int w = c1 - c0;
        if (op == ReduceOp.SUM) {
            Arrays.fill(dacc, 0, w, 0.0);
            for (int j0 = 0; j0 < n; j0 += ROW_BLOCK) {
                int rows = Math.min(ROW_BLOCK, n - j0);
                Arrays.fill(facc, 0, w, 0f);
                if (simd && VectorWarmUp.elementwiseCompiled()) { // the same additions either way
                    VectorReduce.addRows(x, base + j0 * inner, rows, inner, c0, c1, facc);
                } else {
                    for (int j = 0; j < rows; j++) {
                        int row = base + (j0 + j) * inner + c0;
                        for (int c = 0; c < w; c++) {
                            facc[c] += x[row + c];
                        }
                    }
                }
                for (int c = 0; c < w; c++) {
                    dacc[c] += facc[c];
                }
            }
            for (int c = 0; c < w; c++) {
                outF[oo + c0 + c] = (float) dacc[c];
            }
            return;
        }
        boolean max = op == ReduceOp.MAX || op == ReduceOp.ARGMAX;
        boolean arg = op == ReduceOp.ARGMAX || op == ReduceOp.ARGMIN;
        if (n >= VectorReduce.MAX_INDEX) {
            for (int c = c0; c < c1; c++) { // indices would not fit the float buffer: one strided column at a time
                int idx = argBest(x, base + c, n, inner, max);
                if (arg) {
                    outI[oo + c] = idx;
                } else {
                    outF[oo + c] = x[base + c + idx * inner];
                }
            }
            return;
        }
        // The vector path does whole vectors of columns; the rest go row by row with the best of each
        // column so far, where best holds sign*x so that one rule (greater) does max and min.
        float sign = max ? 1f : -1f;
        float[] best = facc;
        float[] bestIdx = new float[w];
        int done = simd ? VectorReduce.argBestColumns(x, base, n, inner, c0, c1, sign, bestIdx) : 0;
        for (int c = done; c < w; c++) {
            best[c] = sign * x[base + c0 + c];
        }
        for (int j = 1; j < n && done < w; j++) {
            int row = base + j * inner + c0;
            for (int c = done; c < w; c++) {
                float v = sign * x[row + c];
                float b = best[c];
                if (v > b || (Float.isNaN(v) && !Float.isNaN(b))) {
                    best[c] = v;
                    bestIdx[c] = j;
                }
            }
        }
        for (int c = 0; c < w; c++) {
            int idx = (int) bestIdx[c];
            if (arg) {
                outI[oo + c0 + c] = idx;
            } else {
                outF[oo + c0 + c] = x[base + c0 + c + idx * inner];
            }
        }
    }

    /** Integer sum, max or min (for INT32 tensors such as label counts). */
    static void reduceInts(ReduceOp op, int[] x, int xo, int outer, int n, int inner, int[] out, int oo) {
        for (int o = 0; o < outer; o++) {
            for (int c = 0; c < inner; c++) {
                int base = xo + o * n * inner + c;
                long acc = op == ReduceOp.SUM ? 0 : x[base];
                for (int j = 0; j < n; j++) {
                    int v = x[base + j * inner];
                    acc = switch (op) {
                        case SUM -> acc + v;
                        case MAX -> Math.max(acc, v);
                        case MIN -> Math.min(acc, v);
                        default -> throw new IllegalArgumentException("cpu backend: " + op + " on INT32 is not supported");
                    };
                }
                out[oo + o * inner + c] = (int) acc;
            }
        }
    }

    /** Softmax or log-softmax of each {@code [n]} line; subtracts the line's maximum first. */
    static void softmax(float[] x, int xo, int outer, int n, int inner, float[] out, int oo, boolean log) {
        softmax(x, xo, outer, n, inner, out, oo, log, Simd.ENABLED);
    }

    /**
     * As {@link #softmax(float[], int, int, int, int, float[], int, boolean)}; {@code simd} (true
     * only where {@link Simd#ENABLED}) picks the vector path.
     */
    static void softmax(float[] x, int xo, int outer, int n, int inner, float[] out, int oo, boolean log, boolean simd) {
        if (inner == 1) {
            int grain = Math.max(1, StridedLoop.PARALLEL_GRAIN / Math.max(1, n));
            CpuPool.parallelFor(outer, grain, (s, e) -> {
                for (int r = s; r < e; r++) {
                    if (simd && n >= Simd.MIN_LENGTH) {
                        VectorSoftmax.row(x, xo + r * n, out, oo + r * n, n, log);
                    } else {
                        softmaxRow(x, xo + r * n, out, oo + r * n, n, log);
                    }
                }
            });
            return;
        }
        long work = (long) outer * n * inner;
        int chunk = columnChunk(outer, inner, work);
        int chunks = (inner + chunk - 1) / chunk;
        CpuPool.parallelFor(outer * chunks, work < StridedLoop.PARALLEL_GRAIN ? outer * chunks : 1, (s, e) -> {
            int w = Math.min(chunk, inner);
            float[] max = new float[w];
            float[] acc = new float[w];
            double[] sum = new double[w];
            for (int t = s; t < e; t++) {
                int o = t / chunks;
                int c0 = (t % chunks) * chunk;
                int cw = Math.min(inner, c0 + chunk) - c0;
                int xb = xo + o * n * inner + c0;
                int ob = oo + o * n * inner + c0;
                int done = simd ? VectorSoftmax.columns(x, xb, out, ob, n, inner, cw, log, max, acc, sum) : 0;
                softmaxColumns(x, xb + done, out, ob + done, n, inner, cw - done, log, max, sum);
            }
        });
    }

    /**
     * The gradient of softmax (or log-softmax) of each {@code [n]} line, see
     * {@link dev.tessera.spi.Backend#softmaxBackward}: one pass for the line's sum, one for the
     * result. {@code gx} may be {@code g} at the same offset.
     */
    static void softmaxBackward(float[] y, int yo, float[] g, int go, int outer, int n, int inner, float[] gx, int gxo,
                                boolean log) {
        softmaxBackward(y, yo, g, go, outer, n, inner, gx, gxo, log, Simd.ENABLED);
    }

    /** As {@link #softmaxBackward(float[], int, float[], int, int, int, int, float[], int, boolean)}; {@code simd} picks the vector rows. */
    static void softmaxBackward(float[] y, int yo, float[] g, int go, int outer, int n, int inner, float[] gx, int gxo,
                                boolean log, boolean simd) {
        int lines = outer * inner;
        int grain = Math.max(1, StridedLoop.PARALLEL_GRAIN / Math.max(1, n));
        CpuPool.parallelFor(lines, grain, (s, e) -> {
            for (int t = s; t < e; t++) {
                int o = t / inner;
                int c = t % inner;
                int base = o * n * inner + c;
                if (inner == 1 && simd && n >= Simd.MIN_LENGTH) {
                    VectorSoftmax.backwardRow(y, yo + base, g, go + base, gx, gxo + base, n, log);
                } else {
                    softmaxBackwardLine(y, yo + base, g, go + base, gx, gxo + base, n, inner, log);
                }
            }
        });
    }

    /**
     * Scalar gradient of one line {@code [j*stride]}, {@code j < n}; the line's sum in double, the
     * exponentials of log-softmax's gradient {@link FloatMath#exp}'s (see {@link #softmaxColumns}).
     */
    private static void softmaxBackwardLine(float[] y, int yb, float[] g, int gb, float[] gx, int gxb, int n, int stride,
                                            boolean log) {
        double sum = 0;
        for (int j = 0; j < n; j++) {
            sum += log ? g[gb + j * stride] : (double) g[gb + j * stride] * y[yb + j * stride];
        }
        float s = (float) sum;
        for (int j = 0; j < n; j++) {
            float gj = g[gb + j * stride];
            float yj = y[yb + j * stride];
            gx[gxb + j * stride] = log ? gj - FloatMath.exp(yj) * s : yj * (gj - s);
        }
    }

    /**
     * Scalar softmax of the contiguous line {@code x[xb .. xb+n)}: the operations of
     * {@link #softmaxColumns} for one column, in loops C2 can unroll.
     */
    private static void softmaxRow(float[] x, int xb, float[] out, int ob, int n, boolean log) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            max = Math.max(max, x[xb + j]);
        }
        if (max == Float.NEGATIVE_INFINITY) {
            max = 0f; // an all -inf line: keep exp finite (gives NaN like PyTorch via 0/0 below)
        }
        double sum = 0;
        for (int j = 0; j < n; j++) {
            float e = FloatMath.exp(x[xb + j] - max);
            sum += e;
            if (!log) {
                out[ob + j] = e;
            }
        }
        if (log) {
            float logSum = (float) Math.log(sum);
            for (int j = 0; j < n; j++) {
                out[ob + j] = (x[xb + j] - max) - logSum;
            }
        } else {
            float inv = (float) (1.0 / sum);
            for (int j = 0; j < n; j++) {
                out[ob + j] *= inv;
            }
        }
    }

    /**
     * Scalar softmax of the lines {@code x[xb + j*inner + c]}, {@code j < n}, for columns
     * {@code c < w} (a row is {@code inner = w = 1}), row by row with per-column state in
     * {@code max} and {@code sum} (at least {@code w} each): per line the same operations as a
     * line-at-a-time loop, the sum and its log or inverse in double. The exponentials are
     * {@link FloatMath#exp}'s, as on the vector paths ({@link VectorMath#exp}), so a line gets the
     * same exponentials with or without the Vector API, and at a few nanoseconds each rather than
     * the 15-20 of {@code Math.exp}: a classifier's lines of 10 classes are all scalar.
     */
    private static void softmaxColumns(float[] x, int xb, float[] out, int ob, int n, int inner, int w, boolean log,
                                       float[] max, double[] sum) {
        if (w <= 0) {
            return;
        }
        Arrays.fill(max, 0, w, Float.NEGATIVE_INFINITY);
        Arrays.fill(sum, 0, w, 0.0);
        for (int j = 0; j < n; j++) {
            for (int c = 0, p = xb + j * inner; c < w; c++) {
                max[c] = Math.max(max[c], x[p + c]);
            }
        }
        for (int c = 0; c < w; c++) {
            if (max[c] == Float.NEGATIVE_INFINITY) {
                max[c] = 0f; // an all -inf line: keep exp finite (gives NaN like PyTorch via 0/0 below)
            }
        }
        for (int j = 0; j < n; j++) {
            for (int c = 0, p = xb + j * inner, q = ob + j * inner; c < w; c++) {
                float e = FloatMath.exp(x[p + c] - max[c]);
                sum[c] += e;
                if (!log) {
                    out[q + c] = e;
                }
            }
        }
        for (int c = 0; c < w; c++) {
            // log: (x - max) - log(sum) keeps the precision of small log-probabilities; x - (max + log(sum))
            // would round to the spacing of floats near the logits.
            sum[c] = log ? (float) Math.log(sum[c]) : (float) (1.0 / sum[c]);
        }
        for (int j = 0; j < n; j++) {
            for (int c = 0, p = xb + j * inner, q = ob + j * inner; c < w; c++) {
                out[q + c] = log ? (x[p + c] - max[c]) - (float) sum[c] : out[q + c] * (float) sum[c];
            }
        }
    }
}
