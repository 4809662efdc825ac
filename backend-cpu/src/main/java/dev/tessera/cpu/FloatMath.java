package dev.tessera.cpu;

/**
 * The exponential, hyperbolic tangent and logistic functions of the CPU backend, in float
 * arithmetic with fused multiply-adds, so that every JIT tier and the vector loops of
 * {@link VectorMath} compute the same bits.
 *
 * <p>Why not {@code Math.exp} in the scalar loops and {@code lanewise(EXP)} in the vector ones:
 * the Vector API's math operators run per lane through {@code Math} while a loop is interpreted
 * or compiled by C1, and through SVML stubs once C2 has compiled it; the two differ by 1-2 ulp,
 * so results changed with JIT warm-up (two runs with the same seed diverged). These functions
 * use only {@code +}, {@code *}, {@code /}, {@link Math#fma}, {@code min}/{@code max} and bit
 * operations: each is correctly rounded by IEEE 754 in every tier, and {@link VectorMath} does
 * the same operations in the same order on each lane, so a value's result does not depend on
 * where it sits in a tensor (vector body, scalar tail) nor on how the work is split over threads.
 *
 * <p>Accuracy against double-precision {@code Math} over every 256th float (2^24 values, the whole
 * range): exp and log within 1 ulp, expm1 and tanh within 2, sigmoid and softplus within 3
 * ({@code FloatMathTest} checks every 1024th).
 */
final class FloatMath {
    /** Arguments are clamped into [EXP_MIN, EXP_MAX]: e^x is 0 below, +inf above, after rounding. */
    static final float EXP_MIN = -104f;
    static final float EXP_MAX = 89f;
    static final float LOG2E = 1.44269504f;
    /** 1.5 * 2^23: adding it rounds a float below 2^22 to an integer, left in the low mantissa bits. */
    static final float MAGIC = 12582912f;
    static final int MAGIC_BITS = Float.floatToRawIntBits(MAGIC);
    /** ln 2 = LN2_HI + LN2_LO; LN2_HI has 9 significant bits, so k * LN2_HI is exact for |k| < 2^15. */
    static final float LN2_HI = 0.693359375f;
    static final float LN2_LO = -2.12194440e-4f;
    /** Cephes expf: e^r = 1 + r + r^2 * (P5 + r*(P4 + ... + r*P0)) on |r| <= ln2/2. */
    static final float EXP_P0 = 1.9875691500e-4f;
    static final float EXP_P1 = 1.3981999507e-3f;
    static final float EXP_P2 = 8.3334519073e-3f;
    static final float EXP_P3 = 4.1665795894e-2f;
    static final float EXP_P4 = 1.6666665459e-1f;
    static final float EXP_P5 = 5.0000001201e-1f;
    /** Below this |x|, tanh is the odd polynomial of Cephes tanhf; from it on, {@code 1 - 2/(e^2|x| + 1)}. */
    static final float TANH_SMALL = 0.625f;
    static final float TANH_P0 = -5.70498872745e-3f;
    static final float TANH_P1 = 2.06390887954e-2f;
    static final float TANH_P2 = -5.37397155531e-2f;
    static final float TANH_P3 = 1.33314422036e-1f;
    static final float TANH_P4 = -3.33332819422e-1f;
    static final int SIGN_BIT = 0x80000000;
    /** sqrt(1/2): the mantissa of log's argument is moved into [sqrt(1/2), sqrt 2). */
    static final float SQRT_HALF = 0.707106781186547524f;
    /** Cephes logf: log(1 + f) = f - f^2/2 + f^3 * (L0 f^8 + ... + L8) on f in [sqrt(1/2) - 1, sqrt 2 - 1). */
    static final float LOG_L0 = 7.0376836292e-2f;
    static final float LOG_L1 = -1.1514610310e-1f;
    static final float LOG_L2 = 1.1676998740e-1f;
    static final float LOG_L3 = -1.2420140846e-1f;
    static final float LOG_L4 = 1.4249322787e-1f;
    static final float LOG_L5 = -1.6668057665e-1f;
    static final float LOG_L6 = 2.0000714765e-1f;
    static final float LOG_L7 = -2.4999993993e-1f;
    static final float LOG_L8 = 3.3333331174e-1f;
    /** 2^23, which makes a subnormal normal before its exponent is read. */
    static final float TWO_23 = 8388608f;
    /** expm1 uses its Taylor series below this |x| (8 terms: error below 1e-8 relative), e^x - 1 above. */
    static final float EXPM1_SMALL = 0.5f;

    private FloatMath() {
    }

    /**
     * {@code e^x}: {@code 2^k * p(r)} with {@code k = round(x / ln 2)}, {@code r = x - k ln 2}
     * (two FMAs with a split ln 2) and p the Cephes polynomial; 2^k is applied as two factors
     * {@code 2^(k/2) * 2^(k - k/2)} so that results in the subnormal range are rounded once and
     * {@code k = 128} gives infinity, not a wrong finite value. NaN gives NaN.
     */
    static float exp(float x) {
        float c = Math.min(Math.max(x, EXP_MIN), EXP_MAX);
        float kt = Math.fma(c, LOG2E, MAGIC);
        float k = kt - MAGIC;
        float r = Math.fma(k, -LN2_HI, c);
        r = Math.fma(k, -LN2_LO, r);
        float p = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(r, EXP_P0, EXP_P1), r, EXP_P2), r, EXP_P3), r, EXP_P4),
                r, EXP_P5), r * r, r) + 1f;
        int ki = Float.floatToRawIntBits(kt) - MAGIC_BITS;
        int k1 = ki >> 1;
        float s1 = Float.intBitsToFloat((k1 + 127) << 23);
        float s2 = Float.intBitsToFloat((ki - k1 + 127) << 23);
        return p * s1 * s2;
    }

    /**
     * {@code tanh x}: for {@code |x| < 0.625} Cephes' odd polynomial {@code |x| + |x| s q(s)},
     * {@code s = x^2}; else {@code 1 - 2 / (e^(2|x|) + 1)} (1 once e^(2|x|) overflows); then
     * the sign of x (so {@code tanh(-0) = -0}).
     */
    static float tanh(float x) {
        float ax = Math.abs(x);
        float t;
        if (ax >= TANH_SMALL) {
            t = 1f - 2f / (exp(ax + ax) + 1f);
        } else {
            float s = ax * ax;
            float q = Math.fma(Math.fma(Math.fma(Math.fma(s, TANH_P0, TANH_P1), s, TANH_P2), s, TANH_P3), s, TANH_P4);
            t = Math.fma(ax * s, q, ax);
        }
        return Float.intBitsToFloat(Float.floatToRawIntBits(t) | (Float.floatToRawIntBits(x) & SIGN_BIT));
    }

    /**
     * {@code ln x}: {@code x = m 2^e} with m in [sqrt(1/2), sqrt 2), then Cephes' polynomial in
     * {@code f = m - 1} and {@code e ln 2} added in two parts. Subnormals are scaled by 2^23
     * first; {@code ln 0 = -inf}, {@code ln inf = inf}, negative numbers and NaN give NaN.
     */
    static float log(float x) {
        boolean sub = x < Float.MIN_NORMAL;
        float xs = sub ? x * TWO_23 : x;
        int bits = Float.floatToRawIntBits(xs);
        float e = (float) ((bits >> 23) - 126);
        if (sub) {
            e = e - 23f;
        }
        float m = Float.intBitsToFloat((bits & 0x007fffff) | 0x3f000000); // [0.5, 1)
        float f;
        if (m < SQRT_HALF) {
            e = e - 1f;
            f = m + m - 1f;
        } else {
            f = m - 1f;
        }
        float z = f * f;
        float y = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(f, LOG_L0, LOG_L1), f, LOG_L2), f,
                LOG_L3), f, LOG_L4), f, LOG_L5), f, LOG_L6), f, LOG_L7), f, LOG_L8) * f * z;
        y = Math.fma(e, LN2_LO, y);
        y = Math.fma(z, -0.5f, y);
        float r = Math.fma(e, LN2_HI, f + y);
        if (x == 0f) {
            return Float.NEGATIVE_INFINITY;
        }
        if (!(x >= 0f)) {
            return Float.NaN;
        }
        return x == Float.POSITIVE_INFINITY ? x : r;
    }

    /**
     * {@code e^x - 1} without the cancellation of {@code exp(x) - 1} near 0: the Taylor series
     * to {@code x^8/8!} (Horner, with FMAs) for {@code |x| < 0.5}, {@code exp(x) - 1} from there.
     */
    static float expm1(float x) {
        if (Math.abs(x) < EXPM1_SMALL) {
            return Math.fma(x * x, taylor(x), x);
        }
        return exp(x) - 1f;
    }

    /** {@code 1/2 + x/6 + x^2/24 + ... + x^6/8!}: expm1's series after its first term, over x^2. */
    static float taylor(float x) {
        return Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(x, 1f / 40320f, 1f / 5040f), x, 1f / 720f), x, 1f / 120f),
                x, 1f / 24f), x, 1f / 6f), x, 0.5f);
    }

    /**
     * {@code ln(1 + e^x)} as {@code max(x, 0) + log1p(e^-|x|)}, with {@code log1p(y) = ln(u) *
     * y / (u - 1)} for {@code u = 1 + y} (y itself where u rounds to 1), which corrects the
     * rounding of u.
     */
    static float softplus(float x) {
        float y = exp(-Math.abs(x));
        float u = y + 1f;
        float l = u == 1f ? y : log(u) * (y / (u - 1f));
        return Math.max(x, 0f) + l;
    }

    /** {@code 1 / (1 + e^-x)} as {@code s = 1/(1 + e^-|x|)} for x >= 0 and {@code e^-|x| * s} below: never overflows. */
    static float sigmoid(float x) {
        float e = exp(-Math.abs(x));
        float s = 1f / (e + 1f);
        return x >= 0f ? s : e * s;
    }
}
