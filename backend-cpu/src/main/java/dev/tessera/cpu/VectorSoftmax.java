package dev.tessera.cpu;

import static jdk.incubator.vector.VectorOperators.ADD;
import static jdk.incubator.vector.VectorOperators.EQ;
import static jdk.incubator.vector.VectorOperators.MAX;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Softmax and log-softmax with the Java Vector API, for {@link ReduceKernels}: the same three
 * passes as the scalar code (maximum, sum of {@code e^(x - max)}, normalisation), with
 * {@link VectorMath#exp} (and {@link FloatMath#exp} in the tails) in place of {@code Math.exp}.
 * Loaded only through {@link Simd}.
 *
 * <p>Special values behave as in the scalar code: a NaN or {@code +inf} in a line makes the line
 * NaN, {@code -inf} entries get probability 0, and a line of only {@code -inf} is NaN (0/0).
 */
final class VectorSoftmax {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int LN = S.length();
    /** Rows of a column block whose exponentials are summed in float before joining the double sums. */
    private static final int ROW_BLOCK = 16;
    private VectorSoftmax() {
    }

    /**
     * The gradient of softmax ({@code gx = y * (g - sum(g*y))}) or log-softmax ({@code gx = g -
     * exp(y) * sum(g)}) along the contiguous line of {@code n >= LN} elements; {@code gx} may be
     * {@code g} at the same offset (each element is read before it is written).
     */
    static void backwardRow(float[] y, int yb, float[] g, int gb, float[] gx, int gxb, int n, boolean log) {
        int end = S.loopBound(n);
        // One loop per case: a vector chosen by a condition inside the loop may stay boxed.
        FloatVector acc = FloatVector.zero(S);
        if (log) {
            for (int i = 0; i < end; i += LN) {
                acc = acc.add(FloatVector.fromArray(S, g, gb + i));
            }
        } else {
            for (int i = 0; i < end; i += LN) {
                acc = FloatVector.fromArray(S, g, gb + i).fma(FloatVector.fromArray(S, y, yb + i), acc);
            }
        }
        double total = acc.reduceLanes(ADD);
        for (int i = end; i < n; i++) {
            total += log ? g[gb + i] : (double) g[gb + i] * y[yb + i];
        }
        float sum = (float) total;
        FloatVector vs = FloatVector.broadcast(S, sum);
        if (log) {
            float[] e = VectorMath.scratch();
            for (int b = 0; b < n; b += VectorMath.BLOCK) {
                int len = Math.min(VectorMath.BLOCK, n - b);
                VectorMath.exp(y, yb + b, 0f, e, 0, len);
                int blockEnd = S.loopBound(len);
                int i = 0;
                for (; i < blockEnd; i += LN) {
                    FloatVector.fromArray(S, g, gb + b + i).sub(FloatVector.fromArray(S, e, i).mul(vs)).intoArray(gx, gxb + b + i);
                }
                for (; i < len; i++) {
                    gx[gxb + b + i] = g[gb + b + i] - e[i] * sum;
                }
            }
        } else {
            for (int i = 0; i < end; i += LN) {
                FloatVector yv = FloatVector.fromArray(S, y, yb + i);
                yv.mul(FloatVector.fromArray(S, g, gb + i).sub(vs)).intoArray(gx, gxb + i);
            }
            for (int i = end; i < n; i++) {
                gx[gxb + i] = y[yb + i] * (g[gb + i] - sum);
            }
        }
    }

    /**
     * Softmax (or log-softmax) of the contiguous line {@code x[xb .. xb+n)} into
     * {@code out[ob .. ob+n)}; {@code n >= 1}. {@code out} may be {@code x} at the same offset.
     */
    static void row(float[] x, int xb, float[] out, int ob, int n, boolean log) {
        int end = S.loopBound(n);
        FloatVector m = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < end; i += LN) {
            m = m.lanewise(MAX, FloatVector.fromArray(S, x, xb + i));
        }
        float max = m.reduceLanes(MAX);
        for (int i = end; i < n; i++) {
            max = Math.max(max, x[xb + i]);
        }
        if (max == Float.NEGATIVE_INFINITY) {
            max = 0f; // an all -inf line: keep exp finite (gives NaN like PyTorch via 0/0 below)
        }
        // A NaN that the lane reduction might drop still gives NaN: exp(NaN - max) makes the sum NaN.
        double sum = expSum(x, xb, out, ob, n, max, !log);
        if (log) {
            // (x - max) - log(sum) keeps the precision of small log-probabilities.
            float logSum = (float) Math.log(sum);
            int i = 0;
            for (; i < end; i += LN) {
                FloatVector.fromArray(S, x, xb + i).sub(max).sub(logSum).intoArray(out, ob + i);
            }
            for (; i < n; i++) {
                out[ob + i] = (x[xb + i] - max) - logSum;
            }
        } else {
            float inv = (float) (1.0 / sum);
            int i = 0;
            for (; i < end; i += LN) {
                FloatVector.fromArray(S, out, ob + i).mul(inv).intoArray(out, ob + i);
            }
            for (; i < n; i++) {
                out[ob + i] *= inv;
            }
        }
    }

    /**
     * {@code sum(e^(x - max))} over the line, storing each exponential in {@code out} when
     * {@code store} (in place allowed): {@link VectorMath#BLOCK} exponentials at a time, summed
     * per lane in float, then into the double total.
     */
    private static double expSum(float[] x, int xb, float[] out, int ob, int n, float max, boolean store) {
        float[] scratch = VectorMath.scratch();
        double sum = 0;
        for (int b = 0; b < n; b += VectorMath.BLOCK) {
            int len = Math.min(VectorMath.BLOCK, n - b);
            float[] e = store ? out : scratch;
            int eo = store ? ob + b : 0;
            VectorMath.exp(x, xb + b, max, e, eo, len);
            int end = S.loopBound(len);
            FloatVector s = FloatVector.zero(S);
            for (int i = 0; i < end; i += LN) {
                s = s.add(FloatVector.fromArray(S, e, eo + i));
            }
            sum += s.reduceLanes(ADD);
            for (int i = end; i < len; i++) {
                sum += e[eo + i];
            }
        }
        return sum;
    }

    /**
     * Softmax (or log-softmax) down the columns of a block: line {@code c} is
     * {@code x[xb + j*inner + c]} for {@code j < n}, for columns {@code c} below
     * {@code S.loopBound(w)}, which is returned; the caller does the remaining columns. The
     * passes go row by row (contiguous loads) with per-column state in the buffers, each of at
     * least {@code w} elements: {@code max} and {@code acc} floats, {@code sum} doubles.
     */
    static int columns(float[] x, int xb, float[] out, int ob, int n, int inner, int w, boolean log,
                       float[] max, float[] acc, double[] sum) {
        int wv = S.loopBound(w);
        if (wv == 0) {
            return 0;
        }
        FloatVector negInf = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        FloatVector zero = FloatVector.zero(S);
        for (int c = 0; c < wv; c += LN) {
            FloatVector m = negInf;
            for (int j = 0, p = xb + c; j < n; j++, p += inner) {
                m = m.lanewise(MAX, FloatVector.fromArray(S, x, p));
            }
            m.blend(zero, m.compare(EQ, negInf)).intoArray(max, c); // all -inf: 0, as in row()
        }
        java.util.Arrays.fill(sum, 0, wv, 0.0);
        float[] e = VectorMath.scratch();
        for (int j0 = 0; j0 < n; j0 += ROW_BLOCK) {
            int j1 = Math.min(n, j0 + ROW_BLOCK);
            java.util.Arrays.fill(acc, 0, wv, 0f);
            for (int j = j0; j < j1; j++) {
                int xr = xb + j * inner;
                int or = ob + j * inner;
                for (int c0 = 0; c0 < wv; c0 += VectorMath.BLOCK) {
                    int bw = Math.min(VectorMath.BLOCK, wv - c0); // whole vectors: wv and BLOCK are multiples of LN
                    for (int c = 0; c < bw; c += LN) {
                        FloatVector.fromArray(S, x, xr + c0 + c).sub(FloatVector.fromArray(S, max, c0 + c)).intoArray(e, c);
                    }
                    VectorMath.exp(e, 0, 0f, e, 0, bw);
                    for (int c = 0; c < bw; c += LN) {
                        FloatVector ev = FloatVector.fromArray(S, e, c);
                        if (!log) {
                            ev.intoArray(out, or + c0 + c);
                        }
                        FloatVector.fromArray(S, acc, c0 + c).add(ev).intoArray(acc, c0 + c);
                    }
                }
            }
            for (int c = 0; c < wv; c++) {
                sum[c] += acc[c];
            }
        }
        for (int c = 0; c < wv; c++) {
            acc[c] = log ? (float) Math.log(sum[c]) : (float) (1.0 / sum[c]);
        }
        for (int j = 0; j < n; j++) {
            int xr = xb + j * inner;
            int or = ob + j * inner;
            for (int c = 0; c < wv; c += LN) {
                FloatVector a = FloatVector.fromArray(S, acc, c);
                if (log) {
                    FloatVector.fromArray(S, x, xr + c).sub(FloatVector.fromArray(S, max, c)).sub(a).intoArray(out, or + c);
                } else {
                    FloatVector.fromArray(S, out, or + c).mul(a).intoArray(out, or + c);
                }
            }
        }
        return wv;
    }
}
