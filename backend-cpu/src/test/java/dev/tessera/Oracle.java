package dev.tessera;

import java.util.Arrays;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.ToDoubleFunction;

/**
 * A deliberately naive reference implementation in double precision, independent of Tessera's
 * code (scalar special functions are in {@link SpecialFunctions}): plain N-d index arithmetic (unravel a flat position, read each operand through its own
 * row-major strides) for broadcasting, reductions, softmax, matrix products and view rearrangement.
 * Tests compute expected values here and compare them with what the library returns.
 */
final class Oracle {
    private Oracle() {
    }

    /** A dense row-major array of doubles with a shape (an empty shape is a scalar). */
    record Nd(double[] v, int[] shape) {
        Nd {
            if (v.length != numel(shape)) {
                throw new IllegalArgumentException("Nd: " + v.length + " values for shape " + Arrays.toString(shape));
            }
        }

        double get(int... idx) {
            return v[ravel(idx, shape)];
        }
    }

    // ------------------------------------------------------------------ conversion and indexing

    static Nd nd(float[] data, int... shape) {
        double[] v = new double[data.length];
        for (int i = 0; i < data.length; i++) {
            v[i] = data[i];
        }
        return new Nd(v, shape.clone());
    }

    /** Reads a tensor's values; use only for tensors whose own correctness is not under test. */
    static Nd nd(Tensor t) {
        return nd(t.toFloatArray(), t.shape());
    }

    static int numel(int[] shape) {
        int n = 1;
        for (int s : shape) {
            n *= s;
        }
        return n;
    }

    static int[] unravel(int flat, int[] shape) {
        int[] idx = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = shape[d] == 0 ? 0 : flat % shape[d];
            flat = shape[d] == 0 ? 0 : flat / shape[d];
        }
        return idx;
    }

    static int ravel(int[] idx, int[] shape) {
        int flat = 0;
        for (int d = 0; d < shape.length; d++) {
            if (idx[d] < 0 || idx[d] >= shape[d]) {
                throw new IndexOutOfBoundsException("Oracle: index " + Arrays.toString(idx) + " in " + Arrays.toString(shape));
            }
            flat = flat * shape[d] + idx[d];
        }
        return flat;
    }

    static int[] broadcastShape(int[] a, int[] b) {
        int r = Math.max(a.length, b.length);
        int[] out = new int[r];
        for (int i = 0; i < r; i++) {
            int da = i < r - a.length ? 1 : a[i - (r - a.length)];
            int db = i < r - b.length ? 1 : b[i - (r - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException("Oracle: cannot broadcast");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** The element of {@code a} that broadcasting maps to position {@code outIdx} of a larger shape. */
    static double broadcastGet(Nd a, int[] outIdx) {
        int lead = outIdx.length - a.shape.length;
        int[] idx = new int[a.shape.length];
        for (int d = 0; d < idx.length; d++) {
            idx[d] = a.shape[d] == 1 ? 0 : outIdx[d + lead];
        }
        return a.get(idx);
    }

    // ------------------------------------------------------------------ elementwise

    static Nd map(Nd a, DoubleUnaryOperator f) {
        double[] v = new double[a.v.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = f.applyAsDouble(a.v[i]);
        }
        return new Nd(v, a.shape.clone());
    }

    static Nd zip(Nd a, Nd b, DoubleBinaryOperator f) {
        int[] shape = broadcastShape(a.shape, b.shape);
        double[] v = new double[numel(shape)];
        for (int i = 0; i < v.length; i++) {
            int[] idx = unravel(i, shape);
            v[i] = f.applyAsDouble(broadcastGet(a, idx), broadcastGet(b, idx));
        }
        return new Nd(v, shape);
    }

    static Nd where(Nd cond, Nd a, Nd b) {
        int[] shape = broadcastShape(broadcastShape(cond.shape, a.shape), b.shape);
        double[] v = new double[numel(shape)];
        for (int i = 0; i < v.length; i++) {
            int[] idx = unravel(i, shape);
            v[i] = broadcastGet(cond, idx) != 0 ? broadcastGet(a, idx) : broadcastGet(b, idx);
        }
        return new Nd(v, shape);
    }

    // ------------------------------------------------------------------ reductions

    /** Applies {@code f} to every line of {@code a} along {@code dim}. */
    static Nd reduce(Nd a, int dim, boolean keepDim, ToDoubleFunction<double[]> f) {
        int[] outShape = a.shape.clone();
        outShape[dim] = 1;
        int n = a.shape[dim];
        double[] v = new double[numel(outShape)];
        for (int i = 0; i < v.length; i++) {
            int[] idx = unravel(i, outShape);
            double[] line = new double[n];
            for (int j = 0; j < n; j++) {
                idx[dim] = j;
                line[j] = a.get(idx);
            }
            v[i] = f.applyAsDouble(line);
        }
        if (keepDim) {
            return new Nd(v, outShape);
        }
        int[] s = new int[a.shape.length - 1];
        for (int d = 0, j = 0; d < a.shape.length; d++) {
            if (d != dim) {
                s[j++] = a.shape[d];
            }
        }
        return new Nd(v, s);
    }

    static double sum(double[] x) {
        double s = 0;
        for (double e : x) {
            s += e;
        }
        return s;
    }

    static double mean(double[] x) {
        return sum(x) / x.length;
    }

    static double var(double[] x, boolean unbiased) {
        double m = mean(x);
        double s = 0;
        for (double e : x) {
            s += (e - m) * (e - m);
        }
        return s / (unbiased ? x.length - 1 : x.length);
    }

    static double max(double[] x) {
        return x[argmax(x)];
    }

    static double min(double[] x) {
        return x[argmin(x)];
    }

    /** Index of the first maximum. */
    static int argmax(double[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) {
            if (x[i] > x[best]) {
                best = i;
            }
        }
        return best;
    }

    /** Index of the first minimum. */
    static int argmin(double[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) {
            if (x[i] < x[best]) {
                best = i;
            }
        }
        return best;
    }

    static Nd softmax(Nd a, int dim, boolean log) {
        double[] v = new double[a.v.length];
        int[] lineShape = a.shape.clone();
        lineShape[dim] = 1;
        for (int i = 0; i < numel(lineShape); i++) {
            int[] idx = unravel(i, lineShape);
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < a.shape[dim]; j++) {
                idx[dim] = j;
                max = Math.max(max, a.get(idx));
            }
            double s = 0;
            for (int j = 0; j < a.shape[dim]; j++) {
                idx[dim] = j;
                s += Math.exp(a.get(idx) - max);
            }
            for (int j = 0; j < a.shape[dim]; j++) {
                idx[dim] = j;
                double z = a.get(idx) - max;
                v[ravel(idx, a.shape)] = log ? z - Math.log(s) : Math.exp(z) / s;
            }
        }
        return new Nd(v, a.shape.clone());
    }

    // ------------------------------------------------------------------ linear algebra

    /** torch.matmul semantics: 1-D operands are promoted and the added dimension removed again. */
    static Nd matmul(Nd a, Nd b) {
        Nd a2 = a.shape.length == 1 ? new Nd(a.v, new int[] {1, a.shape[0]}) : a;
        Nd b2 = b.shape.length == 1 ? new Nd(b.v, new int[] {b.shape[0], 1}) : b;
        int ra = a2.shape.length;
        int rb = b2.shape.length;
        int m = a2.shape[ra - 2];
        int k = a2.shape[ra - 1];
        int n = b2.shape[rb - 1];
        if (b2.shape[rb - 2] != k) {
            throw new IllegalArgumentException("Oracle.matmul: inner dimensions differ");
        }
        int[] batchA = Arrays.copyOf(a2.shape, ra - 2);
        int[] batchB = Arrays.copyOf(b2.shape, rb - 2);
        int[] batch = broadcastShape(batchA, batchB);
        int[] outShape = Arrays.copyOf(batch, batch.length + 2);
        outShape[batch.length] = m;
        outShape[batch.length + 1] = n;
        double[] v = new double[numel(outShape)];
        for (int i = 0; i < v.length; i++) {
            int[] idx = unravel(i, outShape);
            int[] bi = Arrays.copyOf(idx, batch.length);
            int row = idx[batch.length];
            int col = idx[batch.length + 1];
            double s = 0;
            for (int p = 0; p < k; p++) {
                s += elem(a2, bi, row, p) * elem(b2, bi, p, col);
            }
            v[i] = s;
        }
        Nd out = new Nd(v, outShape);
        if (a.shape.length == 1) {
            out = dropDim(out, out.shape.length - 2);
        }
        if (b.shape.length == 1) {
            out = dropDim(out, out.shape.length - 1);
        }
        return out;
    }

    private static double elem(Nd x, int[] batchIdx, int r, int c) {
        int rank = x.shape.length;
        int[] idx = new int[rank];
        int lead = batchIdx.length - (rank - 2);
        for (int d = 0; d < rank - 2; d++) {
            idx[d] = x.shape[d] == 1 ? 0 : batchIdx[d + lead];
        }
        idx[rank - 2] = r;
        idx[rank - 1] = c;
        return x.get(idx);
    }

    /** Removes a size-1 dimension. */
    static Nd dropDim(Nd a, int dim) {
        int[] s = new int[a.shape.length - 1];
        for (int d = 0, j = 0; d < a.shape.length; d++) {
            if (d != dim) {
                s[j++] = a.shape[d];
            }
        }
        return new Nd(a.v, s);
    }

    // ------------------------------------------------------------------ rearrangements

    static Nd permute(Nd a, int... dims) {
        int[] shape = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            shape[i] = a.shape[dims[i]];
        }
        double[] v = new double[a.v.length];
        int[] src = new int[dims.length];
        for (int i = 0; i < v.length; i++) {
            int[] idx = unravel(i, shape);
            for (int d = 0; d < dims.length; d++) {
                src[dims[d]] = idx[d];
            }
            v[i] = a.get(src);
        }
        return new Nd(v, shape);
    }

    static Nd transpose(Nd a, int d0, int d1) {
        int[] dims = new int[a.shape.length];
        for (int d = 0; d < dims.length; d++) {
            dims[d] = d;
        }
        dims[d0] = d1;
        dims[d1] = d0;
        return permute(a, dims);
    }

    /** Python slicing {@code a[start:end:step]} along {@code dim} (positive step). */
    static Nd slice(Nd a, int dim, int start, int end, int step) {
        int size = a.shape[dim];
        int s = start < 0 ? Math.max(start + size, 0) : Math.min(start, size);
        int e = end < 0 ? Math.max(end + size, 0) : Math.min(end, size);
        int count = 0;
        for (int i = s; i < e; i += step) {
            count++;
        }
        int[] shape = a.shape.clone();
        shape[dim] = count;
        double[] v = new double[numel(shape)];
        for (int i = 0; i < v.length; i++) {
            int[] idx = unravel(i, shape);
            idx[dim] = s + idx[dim] * step;
            v[i] = a.get(idx);
        }
        return new Nd(v, shape);
    }

    /** Broadcasts {@code a} to {@code shape} (new leading dims allowed). */
    static Nd expand(Nd a, int... shape) {
        double[] v = new double[numel(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = broadcastGet(a, unravel(i, shape));
        }
        return new Nd(v, shape.clone());
    }

    static Nd cat(int dim, Nd... parts) {
        int[] shape = parts[0].shape.clone();
        shape[dim] = 0;
        for (Nd p : parts) {
            shape[dim] += p.shape[dim];
        }
        double[] v = new double[numel(shape)];
        for (int i = 0; i < v.length; i++) {
            int[] idx = unravel(i, shape);
            int k = 0;
            while (idx[dim] >= parts[k].shape[dim]) {
                idx[dim] -= parts[k].shape[dim];
                k++;
            }
            v[i] = parts[k].get(idx);
        }
        return new Nd(v, shape);
    }

    /** torch.gather: {@code out[p] = a[p with p[dim] = index[p]]}. */
    static Nd gather(Nd a, int dim, int[] index, int[] indexShape) {
        double[] v = new double[index.length];
        for (int i = 0; i < v.length; i++) {
            int[] idx = unravel(i, indexShape);
            idx[dim] = index[i];
            v[i] = a.get(idx);
        }
        return new Nd(v, indexShape.clone());
    }
}
