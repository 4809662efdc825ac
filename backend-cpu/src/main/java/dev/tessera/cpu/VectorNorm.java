package dev.tessera.cpu;

import static jdk.incubator.vector.VectorOperators.ADD;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The row loops of the layer-normalization kernels ({@link NormKernels}) with the Java Vector API.
 * Sums run in float vectors and join a double per row, in a fixed order. Only referred to when the
 * Vector API is available.
 */
final class VectorNorm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Floats per vector. */
    static final int LN = S.length();

    private VectorNorm() {
    }

    /** Writes {@code out[ob + j] = x[xb + j] - m} for {@code j < n}; returns the sum of their squares. */
    static double centre(float[] x, int xb, float[] out, int ob, int n, float m) {
        FloatVector acc = FloatVector.zero(S);
        int j = 0;
        for (; j <= n - LN; j += LN) {
            FloatVector d = FloatVector.fromArray(S, x, xb + j).sub(m);
            d.intoArray(out, ob + j);
            acc = d.fma(d, acc);
        }
        double sum = acc.reduceLanes(ADD);
        for (; j < n; j++) {
            float d = x[xb + j] - m;
            out[ob + j] = d;
            sum += d * d;
        }
        return sum;
    }

    /** {@code out[ob + j] = out[ob + j] * r * w[wo + j] + b[bo + j]} for {@code j < n}; w and b may be null. */
    static void scale(float[] out, int ob, int n, float r, float[] w, int wo, float[] b, int bo) {
        int j = 0;
        for (; j <= n - LN; j += LN) {
            FloatVector y = FloatVector.fromArray(S, out, ob + j).mul(r);
            if (w != null) {
                y = y.mul(FloatVector.fromArray(S, w, wo + j));
            }
            if (b != null) {
                y = y.add(FloatVector.fromArray(S, b, bo + j));
            }
            y.intoArray(out, ob + j);
        }
        NormKernels.scaleScalar(out, ob, j, n, r, w, wo, b, bo);
    }

    /**
     * The two sums of a row's gradient, {@code sum(g)} and {@code sum(g xhat)} with {@code g = go w}
     * (w null: 1) and {@code xhat = (x - m) r}, into {@code sums[0]} and {@code sums[1]}.
     */
    static void gradSums(float[] x, int xb, float[] go, int gb, int n, float m, float r, float[] w, int wo,
                         double[] sums) {
        FloatVector sg = FloatVector.zero(S);
        FloatVector sgx = FloatVector.zero(S);
        int j = 0;
        for (; j <= n - LN; j += LN) {
            FloatVector g = FloatVector.fromArray(S, go, gb + j);
            if (w != null) {
                g = g.mul(FloatVector.fromArray(S, w, wo + j));
            }
            FloatVector xhat = FloatVector.fromArray(S, x, xb + j).sub(m).mul(r);
            sg = sg.add(g);
            sgx = g.fma(xhat, sgx);
        }
        sums[0] = sg.reduceLanes(ADD);
        sums[1] = sgx.reduceLanes(ADD);
        NormKernels.gradSumsScalar(x, xb, go, gb, j, n, m, r, w, wo, sums);
    }

    /** {@code gx = r ((g - meanG) - xhat meanGx)} for one row, {@code g = go w}, {@code xhat = (x - m) r}. */
    static void gradRow(float[] x, int xb, float[] go, int gb, float[] gx, int gxb, int n, float m, float r,
                        float[] w, int wo, float meanG, float meanGx) {
        int j = 0;
        for (; j <= n - LN; j += LN) {
            FloatVector g = FloatVector.fromArray(S, go, gb + j);
            if (w != null) {
                g = g.mul(FloatVector.fromArray(S, w, wo + j));
            }
            FloatVector xhat = FloatVector.fromArray(S, x, xb + j).sub(m).mul(r);
            g.sub(meanG).sub(xhat.mul(meanGx)).mul(r).intoArray(gx, gxb + j);
        }
        NormKernels.gradRowScalar(x, xb, go, gb, gx, gxb, j, n, m, r, w, wo, meanG, meanGx);
    }

    /**
     * Adds, over rows {@code 0 .. rows-1} in order, {@code go xhat} into {@code gw} and {@code go} into
     * {@code gb} (either may be null) for the {@link #LN} columns from {@code c}.
     */
    static void paramGradColumns(float[] x, int xo, float[] go, int goo, int rows, int n, float[] mean, int mo,
                                 float[] rstd, int ro, int c, float[] gw, int gwo, float[] gb, int gbo) {
        FloatVector sw = FloatVector.zero(S);
        FloatVector sb = FloatVector.zero(S);
        for (int row = 0; row < rows; row++) {
            FloatVector g = FloatVector.fromArray(S, go, goo + row * n + c);
            sb = sb.add(g);
            if (gw != null) {
                FloatVector xhat = FloatVector.fromArray(S, x, xo + row * n + c).sub(mean[mo + row]).mul(rstd[ro + row]);
                sw = g.fma(xhat, sw);
            }
        }
        if (gw != null) {
            sw.intoArray(gw, gwo + c);
        }
        if (gb != null) {
            sb.intoArray(gb, gbo + c);
        }
    }
}
