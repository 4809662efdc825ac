package dev.tessera.cpu;

import static jdk.incubator.vector.VectorOperators.ABS;
import static jdk.incubator.vector.VectorOperators.EQ;
import static jdk.incubator.vector.VectorOperators.GE;
import static jdk.incubator.vector.VectorOperators.GT;
import static jdk.incubator.vector.VectorOperators.LE;
import static jdk.incubator.vector.VectorOperators.LT;
import static jdk.incubator.vector.VectorOperators.MAX;
import static jdk.incubator.vector.VectorOperators.MIN;
import static jdk.incubator.vector.VectorOperators.NE;
import static jdk.incubator.vector.VectorOperators.POW;

import dev.tessera.spi.BinaryOp;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Binary kernels with the Java Vector API on rows whose output is contiguous and whose operands
 * are each contiguous (stride 1) or one broadcast value (stride 0): a tensor with a tensor, with a
 * broadcast row, or with a broadcast column, on either side. Loaded only through {@link Simd};
 * the loops follow the rules listed in {@link VectorUnary} (one small loop per op).
 *
 * <p>A broadcast operand is read from a one-vector array holding its value, with index step 0,
 * so one loop serves every layout: choosing between a load and a broadcast inside the loop would
 * merge two vector values, which C2 boxes.
 */
final class VectorBinary {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int LN = S.length();

    private VectorBinary() {
    }

    /**
     * {@code out[oo + i] = op(a[ao + i*as], b[bo + i*bs])} for {@code i < n}, with
     * {@code as, bs} in {0, 1}, not both 0; false (nothing written) when this case has no vector
     * form. {@code out} may be {@code a} or {@code b} at the same offset (in place).
     */
    static boolean row(BinaryOp op, float[] a, int ao, int as, float[] b, int bo, int bs, float[] out, int oo, int n) {
        if (op == BinaryOp.POW || as < 0 || bs < 0 || as > 1 || bs > 1 || as + bs == 0) {
            return false;
        }
        int done = loop(op, as == 0 ? splat(a[ao]) : a, as == 0 ? 0 : ao, as, bs == 0 ? splat(b[bo]) : b, bs == 0 ? 0 : bo, bs,
                out, oo, n);
        boolean aliased = overlaps(a, ao, as, out, oo, n) || overlaps(b, bo, bs, out, oo, n);
        if (done < n && n >= LN && !aliased) {
            // Last partial vector: redo the final full vector (its first lanes get the same values again).
            int k = n - LN;
            row(op, a, ao + k * as, as, b, bo + k * bs, bs, out, oo + k, LN);
            return true;
        }
        for (int i = done; i < n; i++) {
            out[oo + i] = BinaryKernels.apply(op, a[ao + i * as], b[bo + i * bs]);
        }
        return true;
    }

    private static float[] splat(float v) {
        float[] s = new float[LN];
        java.util.Arrays.fill(s, v);
        return s;
    }

    private static boolean overlaps(float[] in, int io, int is, float[] out, int oo, int n) {
        return in == out && io < oo + n && oo < io + Math.max(1, is * n);
    }

    private static int loop(BinaryOp op, float[] a, int ao, int as, float[] b, int bo, int bs, float[] out, int oo, int n) {
        return switch (op) {
            case ADD -> add(a, ao, as, b, bo, bs, out, oo, n);
            case SUB -> sub(a, ao, as, b, bo, bs, out, oo, n);
            case MUL -> mul(a, ao, as, b, bo, bs, out, oo, n);
            case DIV -> div(a, ao, as, b, bo, bs, out, oo, n);
            case POW -> pow(a, ao, as, b, bo, bs, out, oo, n);
            case MAXIMUM -> maximum(a, ao, as, b, bo, bs, out, oo, n);
            case MINIMUM -> minimum(a, ao, as, b, bo, bs, out, oo, n);
            case EQ -> eq(a, ao, as, b, bo, bs, out, oo, n);
            case NE -> ne(a, ao, as, b, bo, bs, out, oo, n);
            case LT -> lt(a, ao, as, b, bo, bs, out, oo, n);
            case LE -> le(a, ao, as, b, bo, bs, out, oo, n);
            case GT -> gt(a, ao, as, b, bo, bs, out, oo, n);
            case GE -> ge(a, ao, as, b, bo, bs, out, oo, n);
        };
    }

    /** {@code a + b}. */
    private static int add(float[] a, int ao, int as, float[] b, int bo, int bs, float[] out, int oo, int n) {
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += LN) {
            FloatVector x = FloatVector.fromArray(S, a, ao + i * as);
            FloatVector y = FloatVector.fromArray(S, b, bo + i * bs);
            x.add(y).intoArray(out, oo + i);
        }
        return i;
    }

    /** {@code a - b}. */
    private static int sub(float[] a, int ao, int as, float[] b, int bo, int bs, float[] out, int oo, int n) {
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += LN) {
            FloatVector x = FloatVector.fromArray(S, a, ao + i * as);
            FloatVector y = FloatVector.fromArray(S, b, bo + i * bs);
            x.sub(y).intoArray(out, oo + i);
        }
        return i;
    }

    /** {@code a * b}. */
    private static int mul(float[] a, int ao, int as, float[] b, int bo, int bs, float[] out, int oo, int n) {
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += LN) {
            FloatVector x = FloatVector.fromArray(S, a, ao + i * as);
            FloatVector y = FloatVector.fromArray(S, b, bo + i * bs);
            x.mul(y).intoArray(out, oo + i);
        }
        return i;
    }

    /** {@code a / b}. */
    private static int div(float[] a, int ao, int as, float[] b, int bo, int bs, float[] out, int oo, int n) {
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += LN) {
            FloatVector x = FloatVector.fromArray(S, a, ao + i * as);
            FloatVector y = FloatVector.fromArray(S, b, bo + i * bs);
            x.div(y).intoArray(out, oo + i);
        }
        return i;
    }

    /** {@code max(a, b)}: lanewise MAX is Math.max (NaN if either is NaN, max(-0, +0) = +0), as the scalar apply. */
    private static int maximum(float[] a, int ao, int as, float[] b, int bo, int bs, float[] out, int oo, int n) {
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += LN) {
            FloatVector x = FloatVector.fromArray(S, a, ao + i * as);
            FloatVector y = FloatVector.fromArray(S, b, bo + i * bs);
            x.lanewise(MAX, y).intoArray(out, oo + i);
        }
        return i;
    }

    /** {@code min(a, b)}, as Math.min. */
    private static int minimum(float[] a, int ao, int as, float[] b, int bo, int bs, float[] out, int oo, int n) {
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += LN) {
            FloatVector x = FloatVector.fromArray(S, a, ao + i * as);
            FloatVector y = FloatVector.fromArray(S, b, bo + i * bs);
            x.lanewise(MIN, y).intoArray(out, oo + i);
        }
        return i;
    }

    /** {@code a == b ? 1 : 0}; comparisons follow Java: false with a NaN, except !=. */
    private static int eq(float[] a, int ao, int as, float[] b, int bo, int bs, float[] out, int oo, int n) {
        FloatVector zero = FloatVector.zero(S);
        FloatVector one = FloatVector.broadcast(S, 1f);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += LN) {
            FloatVector x = FloatVector.fromArray(S, a, ao + i * as);
            FloatVector y = FloatVector.fromArray(S, b, bo + i * bs);
            zero.blend(one, x.compare(EQ, y)).intoArray(out, oo + i);
        }
        return i;
    }

    /** {@code a != b ? 1 : 0} (true with a NaN). */
    private static int ne(float[] a, int ao, int as, float[] b, int bo, int bs, float[] out, int oo, int n) {
        FloatVector zero = FloatVector.zero(S);
        FloatVector one = FloatVector.broadcast(S, 1f);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += LN) {
            FloatVector x = FloatVector.fromArray(S, a, ao + i * as);
            FloatVector y = FloatVector.fromArray(S, b, bo + i * bs);
            zero.blend(one, x.compare(NE, y)).intoArray(out, oo + i);
        }
        return i;
    }

    /** {@code a < b ? 1 : 0}. */
    private static int lt(float[] a, int ao, int as, float[] b, int bo, int bs, float[] out, int oo, int n) {
        FloatVector zero = FloatVector.zero(S);
        FloatVector one = FloatVector.broadcast(S, 1f);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += LN) {
            FloatVector x = FloatVector.fromArray(S, a, ao + i * as);
            FloatVector y = FloatVector.fromArray(S, b, bo + i * bs);
            zero.blend(one, x.compare(LT, y)).intoArray(out, oo + i);
        }
        return i;
    }

    /** {@code a <= b ? 1 : 0}. */
    private static int le(float[] a, int ao, int as, float[] b, int bo, int bs, float[] out, int oo, int n) {
        FloatVector zero = FloatVector.zero(S);
        FloatVector one = FloatVector.broadcast(S, 1f);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += LN) {
            FloatVector x = FloatVector.fromArray(S, a, ao + i * as);
            FloatVector y = FloatVector.fromArray(S, b, bo + i * bs);
            zero.blend(one, x.compare(LE, y)).intoArray(out, oo + i);
        }
        return i;
    }

    /** {@code a > b ? 1 : 0}. */
    private static int gt(float[] a, int ao, int as, float[] b, int bo, int bs, float[] out, int oo, int n) {
        FloatVector zero = FloatVector.zero(S);
        FloatVector one = FloatVector.broadcast(S, 1f);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += LN) {
            FloatVector x = FloatVector.fromArray(S, a, ao + i * as);
            FloatVector y = FloatVector.fromArray(S, b, bo + i * bs);
            zero.blend(one, x.compare(GT, y)).intoArray(out, oo + i);
        }
        return i;
    }

    /** {@code a >= b ? 1 : 0}. */
    private static int ge(float[] a, int ao, int as, float[] b, int bo, int bs, float[] out, int oo, int n) {
        FloatVector zero = FloatVector.zero(S);
        FloatVector one = FloatVector.broadcast(S, 1f);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += LN) {
            FloatVector x = FloatVector.fromArray(S, a, ao + i * as);
            FloatVector y = FloatVector.fromArray(S, b, bo + i * bs);
            zero.blend(one, x.compare(GE, y)).intoArray(out, oo + i);
        }
        return i;
    }

    /**
     * {@code Math.pow(a, b)} on SVML's pow, which follows C99: SVML takes a scalar slow path (12-50 ns an
     * element) for a negative base, so vectors holding one (or a NaN base) use Math.pow per lane; for
     * the others C gives 1 for {@code pow(1, NaN)} and {@code pow(1, +-inf)} where Java gives NaN, and
     * the scalar path squares for an exponent of exactly 2.
     */
    private static int pow(float[] a, int ao, int as, float[] b, int bo, int bs, float[] out, int oo, int n) {
        FloatVector zero = FloatVector.zero(S);
        FloatVector one = FloatVector.broadcast(S, 1f);
        FloatVector two = FloatVector.broadcast(S, 2f);
        FloatVector nan = FloatVector.broadcast(S, Float.NaN);
        FloatVector inf = FloatVector.broadcast(S, Float.POSITIVE_INFINITY);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += LN) {
            FloatVector x = FloatVector.fromArray(S, a, ao + i * as);
            FloatVector y = FloatVector.fromArray(S, b, bo + i * bs);
            if (x.compare(LT, zero).or(x.compare(NE, x)).anyTrue()) {
                for (int l = 0; l < LN; l++) {
                    out[oo + i + l] = BinaryKernels.apply(BinaryOp.POW, a[ao + (i + l) * as], b[bo + (i + l) * bs]);
                }
            } else {
                FloatVector r = x.lanewise(POW, y).blend(x.mul(x), y.compare(EQ, two));
                r.blend(nan, y.compare(NE, y).or(y.lanewise(ABS).compare(EQ, inf).and(x.compare(EQ, one))))
                        .intoArray(out, oo + i);
            }
        }
        return i;
    }
}
