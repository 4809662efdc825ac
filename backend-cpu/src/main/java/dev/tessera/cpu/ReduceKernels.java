package dev.tessera.cpu;

import dev.tessera.spi.ReduceOp;

/**
 * Reductions and softmax over the middle axis of a contiguous block {@code [outer, n, inner]}.
 * Work is split over {@code outer x inner} positions; sums accumulate in double for rows
 * ({@code inner == 1}) so long reductions stay accurate.
 */
final class ReduceKernels {
    private ReduceKernels() {
    }

    static void reduce(ReduceOp op, float[] x, int xo, int outer, int n, int inner, float[] outF, int[] outI, int oo) {
        long work = (long) outer * n * inner;
        int grain = (int) Math.max(1, StridedLoop.PARALLEL_GRAIN / Math.max(1L, (long) n * inner));
        if (inner == 1) {
            if (work < StridedLoop.PARALLEL_GRAIN || outer == 1) {
                rows(op, x, xo, 0, outer, n, outF, outI, oo);
            } else {
                CpuPool.parallelFor(outer, grain, (s, e) -> rows(op, x, xo, s, e, n, outF, outI, oo));
            }
            return;
        }
        // Columns: for each outer block, combine n vectors of length `inner`; split over inner when outer is small.
        int chunks = work < StridedLoop.PARALLEL_GRAIN ? 1 : Math.max(1, Math.min(inner / 64, 8 * CpuPool.pool().getParallelism()));
        int chunk = (inner + chunks - 1) / chunks;
        int tasks = outer * chunks;
        CpuPool.parallelFor(tasks, work < StridedLoop.PARALLEL_GRAIN ? tasks : 1, (s, e) -> {
            for (int t = s; t < e; t++) {
                int o = t / chunks;
                int c0 = (t % chunks) * chunk;
                int c1 = Math.min(inner, c0 + chunk);
                if (c0 < c1) {
                    columns(op, x, xo + o * n * inner, n, inner, c0, c1, outF, outI, oo + o * inner);
                }
            }
        });
    }

    private static void rows(ReduceOp op, float[] x, int xo, int start, int end, int n, float[] outF, int[] outI, int oo) {
        for (int r = start; r < end; r++) {
            int base = xo + r * n;
            switch (op) {
                case SUM -> outF[oo + r] = (float) sum(x, base, n);
                case MAX, MIN -> outF[oo + r] = x[base + argBest(x, base, n, 1, op == ReduceOp.MAX)];
                case ARGMAX, ARGMIN -> outI[oo + r] = argBest(x, base, n, 1, op == ReduceOp.ARGMAX);
            }
        }
    }

    private static double sum(float[] x, int base, int n) {
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

    private static void columns(ReduceOp op, float[] x, int base, int n, int inner, int c0, int c1, float[] outF, int[] outI, int oo) {
        int w = c1 - c0;
        switch (op) {
            case SUM -> {
                float[] acc = new float[w];
                for (int j = 0; j < n; j++) {
                    int row = base + j * inner + c0;
                    for (int c = 0; c < w; c++) {
                        acc[c] += x[row + c];
                    }
                }
                System.arraycopy(acc, 0, outF, oo + c0, w);
            }
            default -> {
                boolean max = op == ReduceOp.MAX || op == ReduceOp.ARGMAX;
                for (int c = c0; c < c1; c++) {
                    int idx = argBest(x, base + c, n, inner, max);
                    if (op == ReduceOp.ARGMAX || op == ReduceOp.ARGMIN) {
                        outI[oo + c] = idx;
                    } else {
                        outF[oo + c] = x[base + c + idx * inner];
                    }
                }
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
        int lines = outer * inner;
        int grain = Math.max(1, StridedLoop.PARALLEL_GRAIN / Math.max(1, n));
        CpuPool.parallelFor(lines, grain, (s, e) -> {
            for (int l = s; l < e; l++) {
                int o = l / inner;
                int c = l % inner;
                int xb = xo + o * n * inner + c;
                int ob = oo + o * n * inner + c;
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < n; j++) {
                    max = Math.max(max, x[xb + j * inner]);
                }
                if (max == Float.NEGATIVE_INFINITY) {
                    max = 0f; // an all -inf line: keep exp finite (gives NaN like PyTorch via 0/0 below)
                }
                double sum = 0;
                for (int j = 0; j < n; j++) {
                    float e2 = (float) Math.exp(x[xb + j * inner] - max);
                    sum += e2;
                    if (!log) {
                        out[ob + j * inner] = e2;
                    }
                }
                if (log) {
                    // (x - max) - log(sum) keeps the precision of small log-probabilities; x - (max + log(sum))
                    // would round to the spacing of floats near the logits.
                    float logSum = (float) Math.log(sum);
                    for (int j = 0; j < n; j++) {
                        out[ob + j * inner] = (x[xb + j * inner] - max) - logSum;
                    }
                } else {
                    float inv = (float) (1.0 / sum);
                    for (int j = 0; j < n; j++) {
                        out[ob + j * inner] *= inv;
                    }
                }
            }
        });
    }
}
