package dev.tessera.cpu;

import static jdk.incubator.vector.VectorOperators.GT;
import static jdk.incubator.vector.VectorOperators.LT;
import static jdk.incubator.vector.VectorOperators.MAX;
import static jdk.incubator.vector.VectorOperators.MIN;
import static jdk.incubator.vector.VectorOperators.SQRT;

import dev.tessera.spi.UnaryOp;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Contiguous unary kernels with the Java Vector API (the activations with several operators are
 * in {@link VectorActivations}). Loaded only through {@link Simd}, after it has found the
 * {@code jdk.incubator.vector} module.
 *
 * <p>Rules of the JDK 17 Vector API (C2) that shape these loops, each learnt from a measured
 * 5-50x slowdown:
 * <ul>
 *   <li>{@code lanewise(op)} becomes a vector instruction (or an SVML stub call) only when
 *       {@code op} is a constant where C2 compiles it: each operator has its own loop;</li>
 *   <li>a method that takes or returns a vector and is not inlined boxes it; vectors never cross
 *       a call here except into {@code bc}-sized helpers;</li>
 *   <li>one loop per op, not a switch over ops inside one loop: every case C2 has seen taken is
 *       compiled, and once a method passes C2's inlining node cutoff the intrinsics parsed last
 *       are left as calls and the whole loop boxes;</li>
 *   <li>{@code test(IS_NAN)} and {@code addIndex} are not intrinsified: {@code v != v} and arrays.</li>
 * </ul>
 * Each loop returns the index where it stopped; {@link #row} finishes the last partial vector.
 */
final class VectorUnary {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int LN = S.length();

    private VectorUnary() {
    }

    /** Float lanes of the preferred species (16 with AVX-512). */
    static int lanes() {
        return LN;
    }

    /**
     * {@code out[oo + i] = op(x[xo + i], p)} for {@code i < n}, both rows contiguous; false (and
     * nothing written) if this op has no vector form here, then the caller runs its scalar loop.
     * {@code out} may be {@code x} at the same offset (in place).
     */
    static boolean row(UnaryOp op, float p, float[] x, int xo, float[] out, int oo, int n) {
        if (!supports(op, p)) {
            return false;
        }
        int done = loop(op, p, x, xo, out, oo, n);
        if (done < n && n >= LN && (x != out || oo + n <= xo || xo + n <= oo)) {
            // Last partial vector: recompute the final full vector (its first lanes are rewritten with the same values).
            loop(op, p, x, xo + n - LN, out, oo + n - LN, LN);
            return true;
        }
        for (int i = done; i < n; i++) {
            out[oo + i] = UnaryKernels.apply(op, p, x[xo + i]);
        }
        return true;
    }

    /** {@code out[oo + i] = x[xo + i]} for {@code i < n}, bit for bit; the two rows must not overlap. */
    static void copy(float[] x, int xo, float[] out, int oo, int n) {
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += LN) {
            FloatVector.fromArray(S, x, xo + i).intoArray(out, oo + i);
        }
        for (; i < n; i++) {
            out[oo + i] = x[xo + i];
        }
    }

    /**
     * Whether {@link #row} handles {@code op}. The transcendental functions with a vector loop
     * here are written out ({@link VectorMath}, {@link VectorActivations#gelu}) and give the
     * same bits in every JIT tier; sin, cos and pow (but squares) have none: the Vector API's
     * {@code lanewise(SIN/COS/POW)} give other bits once C2 compiles them (SVML stubs instead of
     * {@code Math}), so these ops run the scalar {@code Math} loops, which do not.
     */
    static boolean supports(UnaryOp op, float p) {
        return switch (op) {
            case RSQRT, RECIPROCAL, RDIV_SCALAR, LEAKY_RELU, CLAMP_MIN, CLAMP_MAX, SIGN, STEP -> true;
            case RELU, NEG, ABS, SQRT, ADD_SCALAR, MUL_SCALAR, DIV_SCALAR, RSUB_SCALAR -> true;
            case EXP, LOG, TANH, SIGMOID, SOFTPLUS, ELU, GELU, GELU_GRAD -> true;
            case POW_SCALAR -> p == 2f; // x*x, exactly, as in the scalar path
            default -> false;
        };
    }

    private static int loop(UnaryOp op, float p, float[] x, int xo, float[] out, int oo, int n) {
        switch (op) {
            // Whole rows, tails included: their tails give the same bits as their vector lanes.
            case EXP -> VectorMath.exp(x, xo, 0f, out, oo, n);
            case TANH -> VectorMath.tanh(x, xo, out, oo, n);
            case SIGMOID -> VectorMath.sigmoid(x, xo, out, oo, n);
            case LOG -> VectorMath.log(x, xo, out, oo, n);
            case ELU -> VectorMath.elu(p, x, xo, out, oo, n);
            case SOFTPLUS -> VectorMath.softplus(x, xo, out, oo, n);
            default -> {
                return vectorLoop(op, p, x, xo, out, oo, n);
            }
        }
        return n;
    }

    private static int vectorLoop(UnaryOp op, float p, float[] x, int xo, float[] out, int oo, int n) {
        return switch (op) {
            case RSQRT -> rsqrt(x, xo, out, oo, n);
            case RECIPROCAL -> reciprocal(x, xo, out, oo, n);
            case RDIV_SCALAR -> rdiv(p, x, xo, out, oo, n);
            case CLAMP_MIN -> clampMin(p, x, xo, out, oo, n);
            case CLAMP_MAX -> clampMax(p, x, xo, out, oo, n);
            case LEAKY_RELU -> leakyRelu(p, x, xo, out, oo, n);
            case SIGN -> sign(x, xo, out, oo, n);
            case STEP -> step(x, xo, out, oo, n);
            case POW_SCALAR -> square(x, xo, out, oo, n);
            case RELU -> relu(x, xo, out, oo, n);
            case NEG -> neg(x, xo, out, oo, n);
            case ABS -> abs(x, xo, out, oo, n);
            case SQRT -> sqrt(x, xo, out, oo, n);
            case ADD_SCALAR -> addScalar(p, x, xo, out, oo, n);
            case MUL_SCALAR -> mulScalar(p, x, xo, out, oo, n);
            case DIV_SCALAR -> divScalar(p, x, xo, out, oo, n);
            case RSUB_SCALAR -> rsubScalar(p, x, xo, out, oo, n);
            case GELU -> VectorActivations.gelu(x, xo, out, oo, n);
            case GELU_GRAD -> VectorActivations.geluGrad(x, xo, out, oo, n);
            default -> throw new IllegalStateException("no vector loop for " + op);
        };
    }

    /** {@code max(v, 0)} with Math.max semantics: NaN stays NaN, -0 becomes +0. */
    private static int relu(float[] x, int xo, float[] out, int oo, int n) {
        FloatVector zero = FloatVector.zero(S);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += LN) {
            FloatVector.fromArray(S, x, xo + i).lanewise(MAX, zero).intoArray(out, oo + i);
        }
        return i;
    }

    /** {@code -v}. */
    private static int neg(float[] x, int xo, float[] out, int oo, int n) {
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += LN) {
            FloatVector.fromArray(S, x, xo + i).neg().intoArray(out, oo + i);
        }
        return i;
    }

    /** {@code |v|}. */
    private static int abs(float[] x, int xo, float[] out, int oo, int n) {
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += LN) {
            FloatVector.fromArray(S, x, xo + i).abs().intoArray(out, oo + i);
        }
        return i;
    }

    /** {@code sqrt v}, correctly rounded as the scalar path (a float square root is exact-rounded). */
    private static int sqrt(float[] x, int xo, float[] out, int oo, int n) {
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += LN) {
            FloatVector.fromArray(S, x, xo + i).lanewise(SQRT).intoArray(out, oo + i);
        }
        return i;
    }

    /** {@code v * v}. */
    private static int square(float[] x, int xo, float[] out, int oo, int n) {
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += LN) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            v.mul(v).intoArray(out, oo + i);
        }
        return i;
    }

    /** {@code v + p}. */
    private static int addScalar(float p, float[] x, int xo, float[] out, int oo, int n) {
        FloatVector vp = FloatVector.broadcast(S, p);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += LN) {
            FloatVector.fromArray(S, x, xo + i).add(vp).intoArray(out, oo + i);
        }
        return i;
    }

    /** {@code v * p}. */
    private static int mulScalar(float p, float[] x, int xo, float[] out, int oo, int n) {
        FloatVector vp = FloatVector.broadcast(S, p);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += LN) {
            FloatVector.fromArray(S, x, xo + i).mul(vp).intoArray(out, oo + i);
        }
        return i;
    }

    /** {@code v / p}: a true division, as the scalar path (not a multiply by 1/p). */
    private static int divScalar(float p, float[] x, int xo, float[] out, int oo, int n) {
        FloatVector vp = FloatVector.broadcast(S, p);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += LN) {
            FloatVector.fromArray(S, x, xo + i).div(vp).intoArray(out, oo + i);
        }
        return i;
    }

    /** {@code p - v}. */
    private static int rsubScalar(float p, float[] x, int xo, float[] out, int oo, int n) {
        FloatVector vp = FloatVector.broadcast(S, p);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += LN) {
            vp.sub(FloatVector.fromArray(S, x, xo + i)).intoArray(out, oo + i);
        }
        return i;
    }

    /** {@code 1 / sqrt(v)}: two float roundings where the scalar path rounds once from double (within 1 ulp). */
    private static int rsqrt(float[] x, int xo, float[] out, int oo, int n) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += LN) {
            one.div(FloatVector.fromArray(S, x, xo + i).lanewise(SQRT)).intoArray(out, oo + i);
        }
        return i;
    }

    /** {@code 1 / v}, as the scalar path. */
    private static int reciprocal(float[] x, int xo, float[] out, int oo, int n) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += LN) {
            one.div(FloatVector.fromArray(S, x, xo + i)).intoArray(out, oo + i);
        }
        return i;
    }

    /** {@code p / v}, as the scalar path. */
    private static int rdiv(float p, float[] x, int xo, float[] out, int oo, int n) {
        FloatVector vp = FloatVector.broadcast(S, p);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += LN) {
            vp.div(FloatVector.fromArray(S, x, xo + i)).intoArray(out, oo + i);
        }
        return i;
    }

    /** {@code max(v, p)}; NaN stays NaN: lanewise MAX is Math.max, as {@code isNaN(v) ? v : Math.max(v, p)}. */
    private static int clampMin(float p, float[] x, int xo, float[] out, int oo, int n) {
        FloatVector vp = FloatVector.broadcast(S, p);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += LN) {
            FloatVector.fromArray(S, x, xo + i).lanewise(MAX, vp).intoArray(out, oo + i);
        }
        return i;
    }

    /** {@code min(v, p)}, NaN stays NaN. */
    private static int clampMax(float p, float[] x, int xo, float[] out, int oo, int n) {
        FloatVector vp = FloatVector.broadcast(S, p);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += LN) {
            FloatVector.fromArray(S, x, xo + i).lanewise(MIN, vp).intoArray(out, oo + i);
        }
        return i;
    }

    /** {@code v > 0 ? v : p*v} (NaN: p*NaN = NaN). */
    private static int leakyRelu(float p, float[] x, int xo, float[] out, int oo, int n) {
        FloatVector vp = FloatVector.broadcast(S, p);
        FloatVector zero = FloatVector.zero(S);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += LN) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            v.mul(vp).blend(v, v.compare(GT, zero)).intoArray(out, oo + i);
        }
        return i;
    }

    /** {@code v > 0 ? 1 : 0} (ReLU's derivative) without the branch the scalar loop mispredicts. */
    private static int step(float[] x, int xo, float[] out, int oo, int n) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        FloatVector zero = FloatVector.zero(S);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += LN) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            zero.blend(one, v.compare(GT, zero)).intoArray(out, oo + i);
        }
        return i;
    }

    /** signum: +-1, while +-0 and NaN pass through unchanged. */
    private static int sign(float[] x, int xo, float[] out, int oo, int n) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        FloatVector minusOne = FloatVector.broadcast(S, -1f);
        FloatVector zero = FloatVector.zero(S);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += LN) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            v.blend(one, v.compare(GT, zero)).blend(minusOne, v.compare(LT, zero)).intoArray(out, oo + i);
        }
        return i;
    }

}
