package dev.tessera.cpu;

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
import static jdk.incubator.vector.VectorOperators.ABS;
import static jdk.incubator.vector.VectorOperators.GE;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.MIN;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The activation functions of {@link VectorUnary} that take more than one operator: GELU
 * and its derivative, each one loop over a contiguous row that returns the
 * index where it stopped. Loaded only through {@link Simd}; see {@link VectorUnary} for the rules
 * of the JDK 17 Vector API these loops follow (constant operators, no vectors across calls, small
 * methods).
 */
final class VectorActivations {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int LN = S.length();
    private static final float INV_SQRT2 = 0.70710678118654752f;
    private static final float INV_SQRT_2PI = 0.39894228040143268f;
    /** |x| where z = |x|/sqrt 2 = 10.5: Phi(-|x|) = erfc(z)/2 is below the smallest float from there on. */
    private static final float X_MAX = 14.849242f;
    private static final float TWO_M64 = 0x1p-64f;

    private VectorActivations() {
    }

    private static FloatVector bc(float v) {
        return FloatVector.broadcast(S, v);
    }

    /**
     * GELU {@code x * Phi(x)} or its derivative {@code Phi(x) + x * phi(x)}, with
     * {@code Phi(x) = erfc(-x / sqrt 2) / 2}. erfc(z) for z = |x|/sqrt 2 is the Chebyshev fit of
     * Numerical Recipes (the scalar path's, relative error below 1.2e-7 for every z):
     * {@code t * exp(-z^2 + q(t))} with {@code t = 1 / (1 + z/2)}; then {@code Phi(-|x|)} is
     * {@code erfc(z)/2} and {@code Phi(|x|) = 1 - erfc(z)/2}, so a small Phi (negative x) keeps
     * its relative precision.
     *
     * <p>{@code z^2 = x^2/2} is kept as {@code hi + lo}, exactly (an FMA gives the rounding error
     * of {@code x*x}; halving is exact): the rounded z alone would cost {@code 2 z^2 * 6e-8}
     * relative, 1e-6 at x = -5. The exponential is computed here, not with {@code lanewise(EXP)},
     * as {@code 2^k * p(r)} with {@code r = ((-hi - k*ln2_hi) - k*ln2_lo) + (q - lo)}, the first
     * difference exact, so a large {@code z^2} costs no precision (one rounded {@code q - z*z}
     * would lose up to 4e-6 relative in the tails); and inline code runs 1.8x faster than the two
     * stub calls it replaces, which spill every vector register. p is the Cephes expf polynomial
     * (about 1 ulp); 2^k is applied as {@code 2^(k+64) * 2^-64} so that results down in the
     * subnormals are rounded once. |x| is clamped at {@link #X_MAX} (z = 10.5), where Phi(-|x|) is
     * below the smallest float: GELU(-inf) stays NaN (-inf * 0) as in the scalar path, and no
     * {@code inf - inf} appears.
     */
    static int gelu(float[] x, int xo, float[] out, int oo, int n) {
        // Every constant is a local vector: a broadcast written in the loop adds nodes, and near C2's
        // inlining node cutoff an intrinsic (seen: the final store) is left as a call and the loop boxes.
        FloatVector one = bc(1f);
        FloatVector half = bc(0.5f);
        FloatVector zero = bc(0f);
        FloatVector log2e = bc(LOG2E);
        FloatVector magic = bc(MAGIC);
        FloatVector ln2Hi = bc(-LN2_HI);
        FloatVector ln2Lo = bc(-LN2_LO);
        FloatVector p0 = bc(EXP_P0);
        FloatVector p1 = bc(EXP_P1);
        FloatVector p2 = bc(EXP_P2);
        FloatVector p3 = bc(EXP_P3);
        FloatVector p4 = bc(EXP_P4);
        FloatVector p5 = bc(EXP_P5);
        FloatVector xMax = bc(X_MAX);
        FloatVector invSqrt2 = bc(INV_SQRT2);
        FloatVector twoM64 = bc(TWO_M64);
        FloatVector c9 = bc(0.17087277f);
        FloatVector c8 = bc(-0.82215223f);
        FloatVector c7 = bc(1.48851587f);
        FloatVector c6 = bc(-1.13520398f);
        FloatVector c5 = bc(0.27886807f);
        FloatVector c4 = bc(-0.18628806f);
        FloatVector c3 = bc(0.09678418f);
        FloatVector c2 = bc(0.37409196f);
        FloatVector c1 = bc(1.00002368f);
        FloatVector c0 = bc(-1.26551223f);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += LN) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            FloatVector ax = v.lanewise(ABS).lanewise(MIN, xMax);
            FloatVector z = ax.mul(invSqrt2);
            FloatVector t = one.div(z.fma(half, one));
            FloatVector q = t.fma(c9, c8).fma(t, c7).fma(t, c6).fma(t, c5).fma(t, c4).fma(t, c3).fma(t, c2).fma(t, c1).fma(t, c0);
            FloatVector xx = ax.mul(ax);
            FloatVector hi = xx.mul(half); // z*z = hi + lo = x*x/2 exactly; the rounded z would cost 2 z^2 * 6e-8 relative
            FloatVector lo = ax.fma(ax, xx.neg()).mul(half);
            // e = exp(-hi + b), b = q - lo
            FloatVector b = q.sub(lo);
            FloatVector kt = b.sub(hi).fma(log2e, magic); // k = round((b - hi) / ln 2) in the low bits
            FloatVector k = kt.sub(magic);
            FloatVector r = k.fma(ln2Hi, hi.neg()).add(k.mul(ln2Lo)).add(b);
            FloatVector p = r.fma(p0, p1).fma(r, p2).fma(r, p3).fma(r, p4).fma(r, p5).fma(r.mul(r), r).add(one);
            FloatVector e = p.mul(kt.reinterpretAsInts().sub(MAGIC_BITS - 127 - 64).lanewise(LSHL, 23).reinterpretAsFloats())
                    .mul(twoM64);
            FloatVector tail = t.mul(half).mul(e); // Phi(-|x|)
            v.mul(tail.blend(one.sub(tail), v.compare(GE, zero))).intoArray(out, oo + i);
        }
        return i;
    }

    /**
     * The GELU derivative {@code Phi(x) + x * phi(x)}: Phi as in {@link #gelu}, and
     * {@code phi(x) = exp(-hi - lo) / sqrt(2 pi)}, the same exponential with {@code b = -lo}. A
     * loop of its own: sharing gelu's loop behind a flag made the merged method 10x slower (C2's
     * node cutoff again), and a {@code lanewise(EXP)} of q in place of the first exponential 4x.
     */
    static int geluGrad(float[] x, int xo, float[] out, int oo, int n) {
        FloatVector one = bc(1f);
        FloatVector half = bc(0.5f);
        FloatVector zero = bc(0f);
        FloatVector log2e = bc(LOG2E);
        FloatVector magic = bc(MAGIC);
        FloatVector ln2Hi = bc(-LN2_HI);
        FloatVector ln2Lo = bc(-LN2_LO);
        FloatVector p0 = bc(EXP_P0);
        FloatVector p1 = bc(EXP_P1);
        FloatVector p2 = bc(EXP_P2);
        FloatVector p3 = bc(EXP_P3);
        FloatVector p4 = bc(EXP_P4);
        FloatVector p5 = bc(EXP_P5);
        FloatVector xMax = bc(X_MAX);
        FloatVector invSqrt2 = bc(INV_SQRT2);
        FloatVector twoM64 = bc(TWO_M64);
        FloatVector c9 = bc(0.17087277f);
        FloatVector c8 = bc(-0.82215223f);
        FloatVector c7 = bc(1.48851587f);
        FloatVector c6 = bc(-1.13520398f);
        FloatVector c5 = bc(0.27886807f);
        FloatVector c4 = bc(-0.18628806f);
        FloatVector c3 = bc(0.09678418f);
        FloatVector c2 = bc(0.37409196f);
        FloatVector c1 = bc(1.00002368f);
        FloatVector c0 = bc(-1.26551223f);
        FloatVector pdfScale = bc(TWO_M64 * INV_SQRT_2PI);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += LN) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            FloatVector ax = v.lanewise(ABS).lanewise(MIN, xMax);
            FloatVector z = ax.mul(invSqrt2);
            FloatVector t = one.div(z.fma(half, one));
            FloatVector q = t.fma(c9, c8).fma(t, c7).fma(t, c6).fma(t, c5).fma(t, c4).fma(t, c3).fma(t, c2).fma(t, c1).fma(t, c0);
            FloatVector xx = ax.mul(ax);
            FloatVector hi = xx.mul(half); // z*z = hi + lo = x*x/2 exactly; the rounded z would cost 2 z^2 * 6e-8 relative
            FloatVector lo = ax.fma(ax, xx.neg()).mul(half);
            // e = exp(-hi + (q - lo)) as in gelu(), and g = exp(-hi - lo) = exp(-z^2)
            FloatVector b = q.sub(lo);
            FloatVector kt = b.sub(hi).fma(log2e, magic);
            FloatVector k = kt.sub(magic);
            FloatVector r = k.fma(ln2Hi, hi.neg()).add(k.mul(ln2Lo)).add(b);
            FloatVector p = r.fma(p0, p1).fma(r, p2).fma(r, p3).fma(r, p4).fma(r, p5).fma(r.mul(r), r).add(one);
            FloatVector e = p.mul(kt.reinterpretAsInts().sub(MAGIC_BITS - 127 - 64).lanewise(LSHL, 23).reinterpretAsFloats())
                    .mul(twoM64);
            FloatVector kt2 = lo.add(hi).neg().fma(log2e, magic);
            FloatVector k2 = kt2.sub(magic);
            FloatVector r2 = k2.fma(ln2Hi, hi.neg()).add(k2.mul(ln2Lo)).sub(lo);
            FloatVector pp = r2.fma(p0, p1).fma(r2, p2).fma(r2, p3).fma(r2, p4).fma(r2, p5).fma(r2.mul(r2), r2).add(one);
            FloatVector pdf = pp.mul(kt2.reinterpretAsInts().sub(MAGIC_BITS - 127 - 64).lanewise(LSHL, 23).reinterpretAsFloats())
                    .mul(pdfScale);
            FloatVector tail = t.mul(half).mul(e);
            FloatVector cdf = tail.blend(one.sub(tail), v.compare(GE, zero));
            v.fma(pdf, cdf).intoArray(out, oo + i);
        }
        return i;
    }
}
