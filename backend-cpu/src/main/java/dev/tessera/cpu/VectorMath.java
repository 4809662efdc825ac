package dev.tessera.cpu;

import static dev.tessera.cpu.FloatMath.EXP_MIN;
import static dev.tessera.cpu.FloatMath.EXP_P0;
import static dev.tessera.cpu.FloatMath.EXP_P1;
import static dev.tessera.cpu.FloatMath.EXP_P2;
import static dev.tessera.cpu.FloatMath.EXP_P3;
import static dev.tessera.cpu.FloatMath.EXP_P4;
import static dev.tessera.cpu.FloatMath.EXP_P5;
import static dev.tessera.cpu.FloatMath.LN2_HI;
import static dev.tessera.cpu.FloatMath.LN2_LO;
import static dev.tessera.cpu.FloatMath.LOG2E;
import static dev.tessera.cpu.FloatMath.MAGIC;
import static dev.tessera.cpu.FloatMath.MAGIC_BITS;
import static dev.tessera.cpu.FloatMath.SIGN_BIT;
import static dev.tessera.cpu.FloatMath.EXPM1_SMALL;
import static dev.tessera.cpu.FloatMath.TWO_23;
import static dev.tessera.cpu.FloatMath.LOG_L8;
import static dev.tessera.cpu.FloatMath.LOG_L7;
import static dev.tessera.cpu.FloatMath.LOG_L6;
import static dev.tessera.cpu.FloatMath.LOG_L5;
import static dev.tessera.cpu.FloatMath.LOG_L4;
import static dev.tessera.cpu.FloatMath.LOG_L3;
import static dev.tessera.cpu.FloatMath.LOG_L2;
import static dev.tessera.cpu.FloatMath.LOG_L1;
import static dev.tessera.cpu.FloatMath.LOG_L0;
import static dev.tessera.cpu.FloatMath.SQRT_HALF;
import static dev.tessera.cpu.FloatMath.TANH_P0;
import static dev.tessera.cpu.FloatMath.TANH_P1;
import static dev.tessera.cpu.FloatMath.TANH_P2;
import static dev.tessera.cpu.FloatMath.TANH_P3;
import static dev.tessera.cpu.FloatMath.TANH_P4;
import static dev.tessera.cpu.FloatMath.TANH_SMALL;
import static jdk.incubator.vector.VectorOperators.ABS;
import static jdk.incubator.vector.VectorOperators.ASHR;
import static jdk.incubator.vector.VectorOperators.EQ;
import static jdk.incubator.vector.VectorOperators.GE;
import static jdk.incubator.vector.VectorOperators.GT;
import static jdk.incubator.vector.VectorOperators.I2F;
import static jdk.incubator.vector.VectorOperators.LE;
import static jdk.incubator.vector.VectorOperators.LT;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.MAX;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link FloatMath}'s functions over contiguous rows with the Java Vector
 * API: the same operations in the same order on each lane as the scalar functions, which finish
 * each row's last partial vector, so every element gets the bits {@link FloatMath} gives it, in
 * every JIT tier. Loaded only through {@link Simd}.
 *
 * <p>One loop holds the exponential; tanh, sigmoid, ELU, softplus and the softmax kernels call it on blocks of
 * {@link #BLOCK} elements in a per-thread scratch row and combine in a second loop. A helper
 * that took and returned vectors would be shorter, but C2 refuses to inline a method it has
 * already compiled on its own into a large body, and every vector crossing that call is then
 * boxed (measured 6x slower); passing arrays keeps vectors inside the loops.
 */
final class VectorMath {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int LN = S.length();
    /** Elements per scratch block: 1 KiB, which stays in L1 between the passes. */
    static final int BLOCK = 256;
    /** Two blocks per thread: softplus needs a second one for its logarithms. */
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[2 * BLOCK]);

    /**
     * Where e^v is a normal float whatever the rounding of k: from -87 (e^-87 = 1.6e-38, above
     * 2^-126 = 1.18e-38) to 88 (e^88 = 1.65e38, below the largest float 3.4e38). NaN is outside.
     */
    private static final float NORMAL_MIN = -87f;
    private static final float NORMAL_MAX = 88f;
    /** What FloatMath.exp gives for every argument below EXP_MIN, which it clamps to EXP_MIN. */
    private static final float EXP_OF_MIN = FloatMath.exp(EXP_MIN);

    private VectorMath() {
    }

    /** Two rows of {@link #BLOCK} floats owned by the calling thread, for the passes of one block. */
    static float[] scratch() {
        return SCRATCH.get();
    }

    /**
     * {@code out[oo + i] = exp(x[xo + i] - shift)} for {@code i < n}, as {@link FloatMath#exp}
     * (a shift of 0 changes nothing: {@code v - 0 = v}). {@code out} may be {@code x} at the same
     * offset.
     */
    static void exp(float[] x, int xo, float shift, float[] out, int oo, int n) {
        // Constants as scalar operands, broadcast in the loop, where C2 hoists them: vectors made
        // before the loop reach an on-stack-replaced loop (the first calls on a long row) boxed.
        // (The other loops keep theirs outside: with more operators, in-loop broadcasts push C2
        // past its node limit and the loop boxes, 3x slower.)
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += LN) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i).sub(shift);
            VectorMask<Float> below = v.compare(LT, EXP_MIN);
            if (v.compare(GE, NORMAL_MIN).or(below).and(v.compare(LE, NORMAL_MAX)).allTrue()) {
                // Every lane's e^v is a normal float, or clamps to EXP_MIN (a masked attention
                // score, -1e30), whose value FloatMath gives every such lane: no clamps, and 2^k
                // goes straight into the exponent bits, exactly what FloatMath's two factors give
                // without rounding. The lanes below are computed at NORMAL_MIN and replaced.
                FloatVector u = v.lanewise(MAX, NORMAL_MIN);
                FloatVector kt = u.fma(LOG2E, MAGIC);
                FloatVector k = kt.sub(MAGIC);
                FloatVector r = k.fma(bc(-LN2_LO), k.fma(bc(-LN2_HI), u));
                FloatVector p = r.fma(EXP_P0, EXP_P1).fma(r, bc(EXP_P2)).fma(r, bc(EXP_P3)).fma(r, bc(EXP_P4))
                        .fma(r, bc(EXP_P5)).fma(r.mul(r), r).add(1f);
                IntVector scale = kt.reinterpretAsInts().sub(MAGIC_BITS).lanewise(LSHL, 23);
                p.reinterpretAsInts().add(scale).reinterpretAsFloats().blend(EXP_OF_MIN, below).intoArray(out, oo + i);
            } else {
                // Lanes with subnormal or infinite results, or NaN: element by element. A second
                // vector formula here, with its clamps and two factors, made C2 box the whole loop
                // once this branch became hot (3x slower).
                for (int j = i; j < i + LN; j++) {
                    out[oo + j] = FloatMath.exp(x[xo + j] - shift);
                }
            }
        }
        for (; i < n; i++) {
            out[oo + i] = FloatMath.exp(x[xo + i] - shift);
        }
    }

    /** {@code out[oo + i] = tanh(x[xo + i])} for {@code i < n}, as {@link FloatMath#tanh}; in place allowed. */
    static void tanh(float[] x, int xo, float[] out, int oo, int n) {
        float[] e = scratch();
        FloatVector one = bc(1f);
        FloatVector two = bc(2f);
        FloatVector small = bc(TANH_SMALL);
        FloatVector q0 = bc(TANH_P0);
        FloatVector q1 = bc(TANH_P1);
        FloatVector q2 = bc(TANH_P2);
        FloatVector q3 = bc(TANH_P3);
        FloatVector q4 = bc(TANH_P4);
        for (int b = 0; b < n; b += BLOCK) {
            int len = Math.min(BLOCK, n - b);
            int end = S.loopBound(len);
            for (int i = 0; i < end; i += LN) {
                FloatVector ax = FloatVector.fromArray(S, x, xo + b + i).lanewise(ABS);
                ax.add(ax).intoArray(e, i);
            }
            exp(e, 0, 0f, e, 0, end);
            for (int i = 0; i < end; i += LN) {
                FloatVector v = FloatVector.fromArray(S, x, xo + b + i);
                FloatVector ax = v.lanewise(ABS);
                FloatVector big = one.sub(two.div(FloatVector.fromArray(S, e, i).add(one)));
                FloatVector s = ax.mul(ax);
                FloatVector q = s.fma(q0, q1).fma(s, q2).fma(s, q3).fma(s, q4);
                FloatVector t = ax.mul(s).fma(q, ax).blend(big, ax.compare(GE, small));
                t.reinterpretAsInts().or(v.reinterpretAsInts().and(SIGN_BIT)).reinterpretAsFloats().intoArray(out, oo + b + i);
            }
            for (int i = end; i < len; i++) {
                out[oo + b + i] = FloatMath.tanh(x[xo + b + i]);
            }
        }
    }

    /** {@code out[oo + i] = sigmoid(x[xo + i])} for {@code i < n}, as {@link FloatMath#sigmoid}; in place allowed. */
    static void sigmoid(float[] x, int xo, float[] out, int oo, int n) {
        float[] e = scratch();
        FloatVector one = bc(1f);
        FloatVector zero = bc(0f);
        for (int b = 0; b < n; b += BLOCK) {
            int len = Math.min(BLOCK, n - b);
            int end = S.loopBound(len);
            expOfMinusAbs(x, xo + b, e, end);
            for (int i = 0; i < end; i += LN) {
                FloatVector v = FloatVector.fromArray(S, x, xo + b + i);
                FloatVector ev = FloatVector.fromArray(S, e, i);
                FloatVector s = one.div(ev.add(one));
                ev.mul(s).blend(s, v.compare(GE, zero)).intoArray(out, oo + b + i);
            }
            for (int i = end; i < len; i++) {
                out[oo + b + i] = FloatMath.sigmoid(x[xo + b + i]);
            }
        }
    }

    /** {@code out[oo + i] = ln(x[xo + i])} for {@code i < n}, as {@link FloatMath#log}; in place allowed. */
    static void log(float[] x, int xo, float[] out, int oo, int n) {
        FloatVector zero = bc(0f);
        FloatVector one = bc(1f);
        FloatVector minNormal = bc(Float.MIN_NORMAL);
        FloatVector two23 = bc(TWO_23);
        FloatVector sqrtHalf = bc(SQRT_HALF);
        FloatVector l0 = bc(LOG_L0);
        FloatVector l1 = bc(LOG_L1);
        FloatVector l2 = bc(LOG_L2);
        FloatVector l3 = bc(LOG_L3);
        FloatVector l4 = bc(LOG_L4);
        FloatVector l5 = bc(LOG_L5);
        FloatVector l6 = bc(LOG_L6);
        FloatVector l7 = bc(LOG_L7);
        FloatVector l8 = bc(LOG_L8);
        FloatVector ln2Hi = bc(LN2_HI);
        FloatVector ln2Lo = bc(LN2_LO);
        FloatVector minusHalf = bc(-0.5f);
        FloatVector inf = bc(Float.POSITIVE_INFINITY);
        FloatVector negInf = bc(Float.NEGATIVE_INFINITY);
        FloatVector nan = bc(Float.NaN);
        FloatVector subExp = bc(23f);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += LN) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            if (v.compare(GE, minNormal).and(v.compare(LT, inf)).allTrue()) {
                // Positive, normal and finite in every lane: no subnormal scaling, no special values.
                IntVector bits = v.reinterpretAsInts();
                FloatVector e = (FloatVector) bits.lanewise(ASHR, 23).sub(126).convert(I2F, 0);
                FloatVector m = bits.and(0x007fffff).or(0x3f000000).reinterpretAsFloats();
                VectorMask<Float> lowM = m.compare(LT, sqrtHalf);
                e = e.blend(e.sub(one), lowM);
                FloatVector f = m.sub(one).blend(m.add(m).sub(one), lowM);
                FloatVector z = f.mul(f);
                FloatVector y = f.fma(l0, l1).fma(f, l2).fma(f, l3).fma(f, l4).fma(f, l5).fma(f, l6).fma(f, l7).fma(f, l8)
                        .mul(f).mul(z);
                y = z.fma(minusHalf, e.fma(ln2Lo, y));
                e.fma(ln2Hi, f.add(y)).intoArray(out, oo + i);
                continue;
            }
            VectorMask<Float> sub = v.compare(LT, minNormal);
            FloatVector xs = v.blend(v.mul(two23), sub);
            IntVector bits = xs.reinterpretAsInts();
            FloatVector e = (FloatVector) bits.lanewise(ASHR, 23).sub(126).convert(I2F, 0);
            e = e.blend(e.sub(subExp), sub);
            FloatVector m = bits.and(0x007fffff).or(0x3f000000).reinterpretAsFloats();
            VectorMask<Float> lowM = m.compare(LT, sqrtHalf);
            e = e.blend(e.sub(one), lowM);
            FloatVector f = m.sub(one).blend(m.add(m).sub(one), lowM);
            FloatVector z = f.mul(f);
            FloatVector y = f.fma(l0, l1).fma(f, l2).fma(f, l3).fma(f, l4).fma(f, l5).fma(f, l6).fma(f, l7).fma(f, l8).mul(f).mul(z);
            y = e.fma(ln2Lo, y);
            y = z.fma(minusHalf, y);
            FloatVector r = e.fma(ln2Hi, f.add(y));
            r = r.blend(inf, v.compare(EQ, inf)).blend(nan, v.compare(GE, zero).not()).blend(negInf, v.compare(EQ, zero));
            r.intoArray(out, oo + i);
        }
        for (; i < n; i++) {
            out[oo + i] = FloatMath.log(x[xo + i]);
        }
    }

    /** {@code out[oo + i] = x > 0 ? x : p * expm1(x)} for {@code i < n} (ELU), as {@link FloatMath#expm1}; in place allowed. */
    static void elu(float p, float[] x, int xo, float[] out, int oo, int n) {
        float[] e = scratch();
        FloatVector vp = bc(p);
        FloatVector zero = bc(0f);
        FloatVector one = bc(1f);
        FloatVector small = bc(EXPM1_SMALL);
        FloatVector t7 = bc(1f / 40320f);
        FloatVector t6 = bc(1f / 5040f);
        FloatVector t5 = bc(1f / 720f);
        FloatVector t4 = bc(1f / 120f);
        FloatVector t3 = bc(1f / 24f);
        FloatVector t2 = bc(1f / 6f);
        FloatVector t1 = bc(0.5f);
        for (int b = 0; b < n; b += BLOCK) {
            int len = Math.min(BLOCK, n - b);
            int end = S.loopBound(len);
            exp(x, xo + b, 0f, e, 0, end);
            for (int i = 0; i < end; i += LN) {
                FloatVector v = FloatVector.fromArray(S, x, xo + b + i);
                FloatVector series = v.mul(v).fma(v.fma(t7, t6).fma(v, t5).fma(v, t4).fma(v, t3).fma(v, t2).fma(v, t1), v);
                FloatVector em1 = FloatVector.fromArray(S, e, i).sub(one).blend(series, v.lanewise(ABS).compare(LT, small));
                em1.mul(vp).blend(v, v.compare(GT, zero)).intoArray(out, oo + b + i);
            }
            for (int i = end; i < len; i++) {
                float v = x[xo + b + i];
                out[oo + b + i] = v > 0f ? v : p * FloatMath.expm1(v);
            }
        }
    }

    /** {@code out[oo + i] = softplus(x[xo + i])} for {@code i < n}, as {@link FloatMath#softplus}; in place allowed. */
    static void softplus(float[] x, int xo, float[] out, int oo, int n) {
        float[] e = scratch(); // [0, BLOCK): y = e^-|x|; [BLOCK, 2 BLOCK): ln(1 + y)
        FloatVector zero = bc(0f);
        FloatVector one = bc(1f);
        for (int b = 0; b < n; b += BLOCK) {
            int len = Math.min(BLOCK, n - b);
            int end = S.loopBound(len);
            expOfMinusAbs(x, xo + b, e, end);
            for (int i = 0; i < end; i += LN) {
                FloatVector.fromArray(S, e, i).add(one).intoArray(e, BLOCK + i);
            }
            log(e, BLOCK, e, BLOCK, end);
            for (int i = 0; i < end; i += LN) {
                FloatVector v = FloatVector.fromArray(S, x, xo + b + i);
                FloatVector y = FloatVector.fromArray(S, e, i);
                FloatVector u = y.add(one);
                FloatVector l = FloatVector.fromArray(S, e, BLOCK + i).mul(y.div(u.sub(one))).blend(y, u.compare(EQ, one));
                v.lanewise(MAX, zero).add(l).intoArray(out, oo + b + i);
            }
            for (int i = end; i < len; i++) {
                out[oo + b + i] = FloatMath.softplus(x[xo + b + i]);
            }
        }
    }

    /** {@code e[i] = exp(-|x[xo + i]|)} for {@code i < n}, n a multiple of the lane count: sigmoid's and softplus's first pass. */
    private static void expOfMinusAbs(float[] x, int xo, float[] e, int n) {
        for (int i = 0; i < n; i += LN) {
            FloatVector.fromArray(S, x, xo + i).lanewise(ABS).neg().intoArray(e, i);
        }
        exp(e, 0, 0f, e, 0, n);
    }

    private static FloatVector bc(float v) {
        return FloatVector.broadcast(S, v);
    }
}
