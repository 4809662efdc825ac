package dev.tessera.nn;

import dev.tessera.Generator;
import dev.tessera.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Double-precision re-implementations of attention, multi-head attention and transformer layers,
 * written as plain loops from the formulas (independent of the library's tensor ops), for the
 * attention and transformer tests.
 */
final class AttentionOracle {
    private AttentionOracle() {
    }

    /** An additive bias per (batch, head, query, key): 0 allows, -inf blocks, anything else biases. */
    @FunctionalInterface
    interface Bias {
        double at(int n, int h, int i, int j);
    }

    static double[] d(Tensor t) {
        float[] f = t.toFloatArray();
        double[] out = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = f[i];
        }
        return out;
    }

    /**
     * softmax(q k^T / sqrt(e) + bias) v for one matrix: q [l, e], k [s, e], v [s, ev]; a row whose
     * keys are all -inf gives zeros. Returns {output [l, ev], probabilities [l, s]}.
     */
    static double[][] attend(double[] q, double[] k, double[] v, int l, int s, int e, int ev, Bias bias, int n, int h) {
        double[] out = new double[l * ev];
        double[] probs = new double[l * s];
        double scale = 1.0 / Math.sqrt(e);
        for (int i = 0; i < l; i++) {
            double[] z = new double[s];
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < s; j++) {
                double dot = 0;
                for (int c = 0; c < e; c++) {
                    dot += q[i * e + c] * k[j * e + c];
                }
                z[j] = dot * scale + (bias == null ? 0 : bias.at(n, h, i, j));
                max = Math.max(max, z[j]);
            }
            if (max == Double.NEGATIVE_INFINITY) {
                continue; // fully masked: zeros
            }
            double sum = 0;
            for (int j = 0; j < s; j++) {
                z[j] = Math.exp(z[j] - max);
                sum += z[j];
            }
            for (int j = 0; j < s; j++) {
                probs[i * s + j] = z[j] / sum;
                for (int c = 0; c < ev; c++) {
                    out[i * ev + c] += probs[i * s + j] * v[j * ev + c];
                }
            }
        }
        return new double[][] {out, probs};
    }

    /** x [rows, in] times w^T ([out, in]) plus b ([out], or null). */
    static double[] linear(double[] x, int rows, int in, double[] w, double[] b, int out) {
        double[] y = new double[rows * out];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < out; o++) {
                double acc = b == null ? 0 : b[o];
                for (int c = 0; c < in; c++) {
                    acc += x[r * in + c] * w[o * in + c];
                }
                y[r * out + o] = acc;
            }
        }
        return y;
    }

    static double[] layerNorm(double[] x, int rows, int dim, double[] w, double[] b, double eps) {
        double[] y = new double[x.length];
        for (int r = 0; r < rows; r++) {
            double mean = 0;
            for (int c = 0; c < dim; c++) {
                mean += x[r * dim + c];
            }
            mean /= dim;
            double var = 0;
            for (int c = 0; c < dim; c++) {
                var += (x[r * dim + c] - mean) * (x[r * dim + c] - mean);
            }
            var /= dim;
            for (int c = 0; c < dim; c++) {
                y[r * dim + c] = (x[r * dim + c] - mean) / Math.sqrt(var + eps) * w[c] + b[c];
            }
        }
        return y;
    }

    /** erf by its Maclaurin series (|x| < 5, ample precision), else +-1. */
    static double erf(double x) {
        if (Math.abs(x) >= 5) {
            return Math.signum(x);
        }
        double sum = 0;
        double term = x;
        for (int n = 0; n < 200; n++) {
            sum += term / (2 * n + 1);
            term *= -x * x / (n + 1);
        }
        return 2 / Math.sqrt(Math.PI) * sum;
    }

    static double[] activate(double[] x, boolean gelu) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = gelu ? 0.5 * x[i] * (1 + erf(x[i] / Math.sqrt(2))) : Math.max(0, x[i]);
        }
        return y;
    }

    static double[] add(double[] a, double[] b) {
        double[] y = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            y[i] = a[i] + b[i];
        }
        return y;
    }

    /** Flat index of (position i, batch b, feature f) in a [len, n, e] or [n, len, e] tensor. */
    static int at(boolean batchFirst, int len, int n, int e, int i, int b, int f) {
        return (batchFirst ? (b * len + i) : (i * n + b)) * e + f;
    }

    /**
     * Multi-head attention with PyTorch's packed layout, parameters read from {@code p} under
     * {@code prefix} ({@code in_proj_weight}, ...); query [l, n, e] (or batch first), key/value [s,
     * n, e]. Returns {output (query's layout), weights averaged over heads [n, l, s]}.
     */
    static double[][] mha(Map<String, double[]> p, String prefix, double[] query, double[] key, double[] value, int n,
            int l, int s, int e, int heads, boolean batchFirst, Bias bias) {
        double[] w = p.get(prefix + "in_proj_weight");
        double[] b = p.get(prefix + "in_proj_bias");
        int hd = e / heads;
        double[] out = new double[l * n * e];
        double[] weights = new double[n * l * s];
        for (int bn = 0; bn < n; bn++) {
            double[] qs = project(query, w, b, 0, batchFirst, l, n, e, bn);
            double[] ks = project(key, w, b, e, batchFirst, s, n, e, bn);
            double[] vs = project(value, w, b, 2 * e, batchFirst, s, n, e, bn);
            double[] joined = new double[l * e];
            for (int h = 0; h < heads; h++) {
                double[][] r = attend(slice(qs, l, e, h * hd, hd), slice(ks, s, e, h * hd, hd), slice(vs, s, e, h * hd, hd),
                        l, s, hd, hd, bias, bn, h);
                for (int i = 0; i < l; i++) {
                    System.arraycopy(r[0], i * hd, joined, i * e + h * hd, hd);
                    for (int j = 0; j < s; j++) {
                        weights[(bn * l + i) * s + j] += r[1][i * s + j] / heads;
                    }
                }
            }
            double[] o = linear(joined, l, e, p.get(prefix + "out_proj.weight"), p.get(prefix + "out_proj.bias"), e);
            for (int i = 0; i < l; i++) {
                for (int f = 0; f < e; f++) {
                    out[at(batchFirst, l, n, e, i, bn, f)] = o[i * e + f];
                }
            }
        }
        return new double[][] {out, weights};
    }

    /** Rows of batch bn of x [len, n, e] projected by rows off..off+e-1 of w: [len, e]. */
    private static double[] project(double[] x, double[] w, double[] b, int off, boolean batchFirst, int len, int n, int e,
            int bn) {
        double[] y = new double[len * e];
        for (int i = 0; i < len; i++) {
            for (int o = 0; o < e; o++) {
                double acc = b == null ? 0 : b[off + o];
                for (int c = 0; c < e; c++) {
                    acc += x[at(batchFirst, len, n, e, i, bn, c)] * w[(off + o) * e + c];
                }
                y[i * e + o] = acc;
            }
        }
        return y;
    }

    private static double[] slice(double[] x, int rows, int cols, int from, int width) {
        double[] y = new double[rows * width];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(x, r * cols + from, y, r * width, width);
        }
        return y;
    }

    /** The feed-forward block linear2(act(linear1(x))) of a layer whose parameters are under {@code prefix}. */
    static double[] feedForward(Map<String, double[]> p, String prefix, double[] x, int rows, int d, int ff, boolean gelu) {
        double[] h = activate(linear(x, rows, d, p.get(prefix + "linear1.weight"), p.get(prefix + "linear1.bias"), ff), gelu);
        return linear(h, rows, ff, p.get(prefix + "linear2.weight"), p.get(prefix + "linear2.bias"), d);
    }

    static double[] norm(Map<String, double[]> p, String name, double[] x, int rows, int d, double eps) {
        return layerNorm(x, rows, d, p.get(name + ".weight"), p.get(name + ".bias"), eps);
    }

    /** A TransformerEncoderLayer without dropout; x [s, n, d] (or batch first). */
    static double[] encoderLayer(Map<String, double[]> p, String prefix, double[] x, int n, int s, int d, int heads, int ff,
            boolean gelu, double eps, boolean batchFirst, boolean normFirst, Bias bias) {
        int rows = n * s;
        String sa = prefix + "self_attn.";
        if (normFirst) {
            double[] h = norm(p, prefix + "norm1", x, rows, d, eps);
            double[] y = add(x, mha(p, sa, h, h, h, n, s, s, d, heads, batchFirst, bias)[0]);
            return add(y, feedForward(p, prefix, norm(p, prefix + "norm2", y, rows, d, eps), rows, d, ff, gelu));
        }
        double[] y = norm(p, prefix + "norm1", add(x, mha(p, sa, x, x, x, n, s, s, d, heads, batchFirst, bias)[0]), rows, d, eps);
        return norm(p, prefix + "norm2", add(y, feedForward(p, prefix, y, rows, d, ff, gelu)), rows, d, eps);
    }

    /** A TransformerDecoderLayer without dropout; tgt [t, n, d], memory [s, n, d] (or batch first). */
    static double[] decoderLayer(Map<String, double[]> p, String prefix, double[] tgt, double[] mem, int n, int t, int s,
            int d, int heads, int ff, double eps, boolean batchFirst, boolean normFirst, Bias tgtBias) {
        int rows = n * t;
        String sa = prefix + "self_attn.";
        String ca = prefix + "multihead_attn.";
        if (normFirst) {
            double[] h = norm(p, prefix + "norm1", tgt, rows, d, eps);
            double[] x = add(tgt, mha(p, sa, h, h, h, n, t, t, d, heads, batchFirst, tgtBias)[0]);
            h = norm(p, prefix + "norm2", x, rows, d, eps);
            x = add(x, mha(p, ca, h, mem, mem, n, t, s, d, heads, batchFirst, null)[0]);
            return add(x, feedForward(p, prefix, norm(p, prefix + "norm3", x, rows, d, eps), rows, d, ff, false));
        }
        double[] x = norm(p, prefix + "norm1", add(tgt, mha(p, sa, tgt, tgt, tgt, n, t, t, d, heads, batchFirst, tgtBias)[0]),
                rows, d, eps);
        x = norm(p, prefix + "norm2", add(x, mha(p, ca, x, mem, mem, n, t, s, d, heads, batchFirst, null)[0]), rows, d, eps);
        return norm(p, prefix + "norm3", add(x, feedForward(p, prefix, x, rows, d, ff, false)), rows, d, eps);
    }

    /**
     * Loads random values into every parameter of {@code m} (norm weights near 1, the rest in
     * [-0.5, 0.5)), modifying it, and returns its state as double arrays by name.
     */
    static Map<String, double[]> randomize(Module m, long seed) {
        Generator g = new Generator(seed);
        Map<String, Tensor> state = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : m.stateDict().entrySet()) {
            Tensor r = Tensor.rand(g, e.getValue().shape()).sub(0.5f);
            boolean normWeight = e.getKey().matches(".*norm\\d?\\.weight");
            state.put(e.getKey(), normWeight ? r.add(1f) : r);
        }
        m.loadStateDict(state);
        Map<String, double[]> out = new LinkedHashMap<>();
        state.forEach((k, v) -> out.put(k, d(v)));
        return out;
    }
}
