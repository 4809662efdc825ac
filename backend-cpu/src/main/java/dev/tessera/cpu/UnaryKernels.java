package dev.tessera.cpu;

import dev.tessera.spi.UnaryOp;

/** Elementwise functions of one argument on float arrays; formulas as documented in {@link UnaryOp}. */
final class UnaryKernels {
    private static final double INV_SQRT2 = 0.7071067811865476;
    private static final double INV_SQRT_2PI = 0.3989422804014327;

    private UnaryKernels() {
    }

    /** {@code out[oo + i*os] = op(x[xo + i*xs], p)} for {@code i < n}. */
    static void row(UnaryOp op, float p, float[] x, int xo, int xs, float[] out, int oo, int os, int n) {
        row(op, p, x, xo, xs, out, oo, os, n, Simd.ENABLED);
    }

    /**
     * As {@link #row(UnaryOp, float, float[], int, int, float[], int, int, int)}; {@code simd}
     * allows the Vector API loops of {@link VectorUnary} for contiguous rows; it must be false
     * where {@link Simd#ENABLED} is (the vector classes cannot load there), and tests pass false
     * to compare the two paths.
     */
    static void row(UnaryOp op, float p, float[] x, int xo, int xs, float[] out, int oo, int os, int n, boolean simd) {
        if (xs == 1 && os == 1) {
            // Explicit vectors first: C2 does not auto-vectorise the plain loops below, because
            // with two unknown offsets into arrays that may be the same it cannot rule out a
            // loop-carried dependence (measured 0.7 ns an element, ~15x slower).
            if (simd && n >= Simd.MIN_LENGTH && vectorLoopsReady(op) && VectorUnary.row(op, p, x, xo, out, oo, n)) {
                return;
            }
            if (contiguous(op, p, x, xo, out, oo, n)) {
                return;
            }
        }
        for (int i = 0; i < n; i++) {
            out[oo + i * os] = apply(op, p, x[xo + i * xs]);
        }
    }

    /** Whether {@code op}'s vector loop may run: some wait for the warm-up ({@link VectorWarmUp}). */
    private static boolean vectorLoopsReady(UnaryOp op) {
        return !VectorWarmUp.GATED_UNARY_OPS.contains(op) || VectorWarmUp.elementwiseCompiled();
    }

    /** Tight scalar loops for the most frequent ops (short rows, or no Vector API); false if {@code op} has none. */
    private static boolean contiguous(UnaryOp op, float p, float[] x, int xo, float[] out, int oo, int n) {
        switch (op) {
            case RELU -> {
                for (int i = 0; i < n; i++) {
                    out[oo + i] = Math.max(x[xo + i], 0f);
                }
            }
            case NEG -> {
                for (int i = 0; i < n; i++) {
                    out[oo + i] = -x[xo + i];
                }
            }
            case ADD_SCALAR -> {
                for (int i = 0; i < n; i++) {
                    out[oo + i] = x[xo + i] + p;
                }
            }
            case MUL_SCALAR -> {
                for (int i = 0; i < n; i++) {
                    out[oo + i] = x[xo + i] * p;
                }
            }
            case DIV_SCALAR -> {
                for (int i = 0; i < n; i++) {
                    out[oo + i] = x[xo + i] / p;
                }
            }
            case RSUB_SCALAR -> {
                for (int i = 0; i < n; i++) {
                    out[oo + i] = p - x[xo + i];
                }
            }
            case ABS -> {
                for (int i = 0; i < n; i++) {
                    out[oo + i] = Math.abs(x[xo + i]);
                }
            }
            case POW_SCALAR -> {
                if (p != 2f) {
                    return false;
                }
                for (int i = 0; i < n; i++) {
                    out[oo + i] = x[xo + i] * x[xo + i];
                }
            }
            case SQRT -> {
                for (int i = 0; i < n; i++) {
                    out[oo + i] = (float) Math.sqrt(x[xo + i]);
                }
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    /** One element of {@code op}. */
    static float apply(UnaryOp op, float p, float v) {
        return switch (op) {
            case NEG -> -v;
            case ABS -> Math.abs(v);
            case SIGN -> Math.signum(v);
            case EXP -> FloatMath.exp(v);
            case LOG -> FloatMath.log(v);
            case SQRT -> (float) Math.sqrt(v);
            case RSQRT -> (float) (1.0 / Math.sqrt(v));
            case RECIPROCAL -> 1f / v;
            case SIN -> (float) Math.sin(v);
            case COS -> (float) Math.cos(v);
            case TANH -> FloatMath.tanh(v);
            case SIGMOID -> FloatMath.sigmoid(v);
            case SOFTPLUS -> FloatMath.softplus(v);
            case RELU -> Math.max(v, 0f);
            case STEP -> v > 0f ? 1f : 0f;
            case LEAKY_RELU -> v > 0f ? v : p * v;
            case ELU -> v > 0f ? v : p * FloatMath.expm1(v);
            case GELU -> (float) (v * cdf(v));
            case GELU_GRAD -> (float) (cdf(v) + v * INV_SQRT_2PI * Math.exp(-0.5 * v * (double) v));
            case ADD_SCALAR -> v + p;
            case MUL_SCALAR -> v * p;
            case DIV_SCALAR -> v / p;
            case RSUB_SCALAR -> p - v;
            case RDIV_SCALAR -> p / v;
            case POW_SCALAR -> p == 2f ? v * v : (float) Math.pow(v, p);
            case CLAMP_MIN -> Float.isNaN(v) ? v : Math.max(v, p);
            case CLAMP_MAX -> Float.isNaN(v) ? v : Math.min(v, p);
        };
    }

    /**
     * The standard normal CDF {@code Phi(x) = erfc(-x / sqrt 2) / 2}, from the erfc fit of
     * {@link #erf}: for negative x directly as {@code erfc(|x|/sqrt 2) / 2}, which keeps its
     * relative precision in the tail, where {@code (1 + erf(x/sqrt 2)) / 2} cancels to nothing
     * below x = -8 (GELU(-10) was 0 instead of -7.6e-23).
     */
    static double cdf(double x) {
        double tail = 0.5 * erfc(Math.abs(x) * INV_SQRT2);
        return x >= 0 ? 1.0 - tail : tail;
    }

    /**
     * The error function (|error| < 1.2e-7 relative suffices for float; this uses the
     * complementary-error Chebyshev fit from Numerical Recipes, |error| < 1.2e-7).
     */
    static double erf(double x) {
        double ans = erfc(Math.abs(x));
        return x >= 0 ? 1.0 - ans : ans - 1.0;
    }

    /** erfc(z) for z >= 0 (or NaN), Numerical Recipes' fit, fractional error below 1.2e-7 everywhere. */
    private static double erfc(double z) {
        double t = 1.0 / (1.0 + 0.5 * z);
        return t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
    }
}
