package dev.tessera.nn.io;

/**
 * Exact widening of 16-bit floats to {@code float}: IEEE-754 binary16 ({@code F16}) and bfloat16
 * ({@code BF16}). Every 16-bit value, subnormals, infinities and NaNs (payload kept) included, is
 * representable as a float, so both conversions are exact.
 */
final class HalfFloats {
    private HalfFloats() {
    }

    /**
     * Returns the float equal to the binary16 value with bits {@code h} (low 16 bits used).
     *
     * <p>binary16 is 1 sign bit, 5 exponent bits (bias 15) and 10 mantissa bits: a normal number
     * is {@code (-1)^s * 2^(e-15) * 1.m}, a subnormal ({@code e == 0}) is {@code (-1)^s * m *
     * 2^-24}, {@code e == 31} is an infinity ({@code m == 0}) or a NaN.
     */
    static float halfToFloat(int h) {
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1F;
        int mant = h & 0x3FF;
        if (exp == 0) {
            // zero or subnormal: m * 2^-24 is exact in float (m < 2^10)
            float magnitude = mant * 0x1p-24f;
            return Float.intBitsToFloat(sign | Float.floatToRawIntBits(magnitude));
        }
        if (exp == 0x1F) {
            // infinity or NaN; the mantissa (NaN payload, quiet bit first) moves to the top of float's
            return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }

    /**
     * Returns the float equal to the bfloat16 value with bits {@code b} (low 16 bits used):
     * bfloat16 is the top half of a float, so this is a shift.
     */
    static float bfloat16ToFloat(int b) {
        return Float.intBitsToFloat((b & 0xFFFF) << 16);
    }
}
