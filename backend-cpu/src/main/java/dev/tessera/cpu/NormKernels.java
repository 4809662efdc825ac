package dev.tessera.cpu;

/**
 * Layer normalization on the CPU ({@link CpuBackend#layerNorm}, {@link CpuBackend#layerNormBackward})
 * over contiguous {@code [rows, n]} arrays: the forward pass reads each row twice (its mean, then
 * the centred values and their squares) and writes the output once; the backward pass recomputes
 * the normalized input instead of storing it. Rows are spread over {@link CpuPool}; the weight and
 * bias gradients are summed over the rows in order, a block of columns per task, so the result does
 * not depend on the number of threads.
 */
final class NormKernels {
    /** Rows per task: each row is a few hundred floats. */
    private static final int ROW_GRAIN = 16;

    private NormKernels() {
    }

    /**
     * See {@link dev.tessera.spi.Backend#layerNorm}: {@code x}, {@code out} {@code [rows, n]} from
     * {@code xo}, {@code oo}; {@code mean}, {@code rstd} {@code [rows]}; {@code w}, {@code b} {@code
     * [n]} or null.
     */
    static void forward(float[] x, int xo, int rows, int n, float[] w, int wo, float[] b, int bo, float eps,
                        float[] out, int oo, float[] mean, int mo, float[] rstd, int ro) {
        boolean simd = Simd.ENABLED && n >= Simd.MIN_LENGTH;
        CpuPool.parallelFor(rows, ROW_GRAIN, (start, end) -> {
            for (int row = start; row < end; row++) {
                int xb = xo + row * n;
                int ob = oo + row * n;
                float m = (float) (ReduceKernels.rowSum(x, xb, n, simd) / n);
                double squares = simd ? VectorNorm.centre(x, xb, out, ob, n, m) : centreScalar(x, xb, out, ob, n, m);
                float r = (float) (1.0 / Math.sqrt(squares / n + eps));
                mean[mo + row] = m;
                rstd[ro + row] = r;
                if (simd) {
                    VectorNorm.scale(out, ob, n, r, w, wo, b, bo);
                } else {
                    scaleScalar(out, ob, 0, n, r, w, wo, b, bo);
                }
            }
        });
    }

    /**
     * See {@link dev.tessera.spi.Backend#layerNormBackward}: writes {@code gx} ({@code [rows, n]}),
     * {@code gw} and {@code gb} ({@code [n]}), each unless null.
     */
    static void backward(float[] x, int xo, int rows, int n, float[] w, int wo, float[] mean, int mo, float[] rstd,
                         int ro, float[] go, int goo, float[] gx, int gxo, float[] gw, int gwo, float[] gb, int gbo) {
        boolean simd = Simd.ENABLED && n >= Simd.MIN_LENGTH;
        if (gx != null) {
            CpuPool.parallelFor(rows, ROW_GRAIN, (start, end) -> {
                double[] sums = new double[2];
                for (int row = start; row < end; row++) {
                    int xb = xo + row * n;
                    int gb0 = goo + row * n;
                    float m = mean[mo + row];
                    float r = rstd[ro + row];
                    sums[0] = 0;
                    sums[1] = 0;
                    if (simd) {
                        VectorNorm.gradSums(x, xb, go, gb0, n, m, r, w, wo, sums);
                    } else {
                        gradSumsScalar(x, xb, go, gb0, 0, n, m, r, w, wo, sums);
                    }
                    float meanG = (float) (sums[0] / n);
                    float meanGx = (float) (sums[1] / n);
                    if (simd) {
                        VectorNorm.gradRow(x, xb, go, gb0, gx, gxo + row * n, n, m, r, w, wo, meanG, meanGx);
                    } else {
                        gradRowScalar(x, xb, go, gb0, gx, gxo + row * n, 0, n, m, r, w, wo, meanG, meanGx);
                    }
                }
            });
        }
        if (gw == null && gb == null) {
            return;
        }
        // Whole vectors of columns on the vector path, the rest one column at a time; either way
        // each column is summed over the rows in order, whatever the number of threads.
        int lanes = simd ? VectorNorm.LN : 1;
        int vectorColumns = simd ? n / lanes * lanes : 0;
        int blocks = vectorColumns / lanes + (n - vectorColumns);
        CpuPool.parallelFor(blocks, 1, (start, end) -> {
            for (int blk = start; blk < end; blk++) {
                if (blk < vectorColumns / lanes) {
                    VectorNorm.paramGradColumns(x, xo, go, goo, rows, n, mean, mo, rstd, ro, blk * lanes, gw, gwo, gb, gbo);
                } else {
                    paramGradColumn(x, xo, go, goo, rows, n, mean, mo, rstd, ro, vectorColumns + blk - vectorColumns / lanes,
                            gw, gwo, gb, gbo);
                }
            }
        });
    }

    private static double centreScalar(float[] x, int xb, float[] out, int ob, int n, float m) {
        double sum = 0;
        for (int j = 0; j < n; j++) {
            float d = x[xb + j] - m;
            out[ob + j] = d;
            sum += d * d;
        }
        return sum;
    }

    /** {@code out = out r w + b} for columns {@code [from, n)} of a row; w and b may be null. */
    static void scaleScalar(float[] out, int ob, int from, int n, float r, float[] w, int wo, float[] b, int bo) {
        for (int j = from; j < n; j++) {
            float y = out[ob + j] * r;
            if (w != null) {
                y *= w[wo + j];
            }
            if (b != null) {
                y += b[bo + j];
            }
            out[ob + j] = y;
        }
    }

    /** Adds the columns {@code [from, n)} of a row to the sums of {@link VectorNorm#gradSums}. */
    static void gradSumsScalar(float[] x, int xb, float[] go, int gb, int from, int n, float m, float r, float[] w,
                               int wo, double[] sums) {
        for (int j = from; j < n; j++) {
            float g = w == null ? go[gb + j] : go[gb + j] * w[wo + j];
            float xhat = (x[xb + j] - m) * r;
            sums[0] += g;
            sums[1] += g * xhat;
        }
    }

    /** {@link VectorNorm#gradRow} for the columns {@code [from, n)} of a row. */
    static void gradRowScalar(float[] x, int xb, float[] go, int gb, float[] gx, int gxb, int from, int n, float m,
                              float r, float[] w, int wo, float meanG, float meanGx) {
        for (int j = from; j < n; j++) {
            float g = w == null ? go[gb + j] : go[gb + j] * w[wo + j];
            float xhat = (x[xb + j] - m) * r;
            gx[gxb + j] = (g - meanG - xhat * meanGx) * r;
        }
    }

    /** The weight and bias gradients of one column, summed over the rows in order. */
    private static void paramGradColumn(float[] x, int xo, float[] go, int goo, int rows, int n, float[] mean, int mo,
                                        float[] rstd, int ro, int c, float[] gw, int gwo, float[] gb, int gbo) {
        float sw = 0f;
        float sb = 0f;
        for (int row = 0; row < rows; row++) {
            float g = go[goo + row * n + c];
            sb += g;
            sw = Math.fma(g, (x[xo + row * n + c] - mean[mo + row]) * rstd[ro + row], sw);
        }
        if (gw != null) {
            gw[gwo + c] = sw;
        }
        if (gb != null) {
            gb[gbo + c] = sb;
        }
    }
}
