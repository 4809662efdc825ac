package dev.tessera.nn.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Every 16-bit pattern against values worked out independently in double arithmetic. */
class HalfFloatsTest {
    /** (-1)^s * 2^(e - bias) * (1 + m / 2^mBits) for normals, (-1)^s * 2^(1 - bias) * m / 2^mBits for subnormals. */
    private static double oracle(int bits, int expBits, int mantBits) {
        int bias = (1 << (expBits - 1)) - 1;
        int s = (bits >>> (expBits + mantBits)) & 1;
        int e = (bits >>> mantBits) & ((1 << expBits) - 1);
        int m = bits & ((1 << mantBits) - 1);
        double sign = s == 1 ? -1 : 1;
        if (e == (1 << expBits) - 1) {
            return m == 0 ? sign * Double.POSITIVE_INFINITY : Double.NaN;
        }
        if (e == 0) {
            return sign * Math.scalb((double) m / (1 << mantBits), 1 - bias);
        }
        return sign * Math.scalb(1 + (double) m / (1 << mantBits), e - bias);
    }

    private static void check(int bits, float actual, double expected) {
        if (Double.isNaN(expected)) {
            assertTrue(Float.isNaN(actual), Integer.toHexString(bits));
            return;
        }
        assertEquals((float) expected, actual, 0f, Integer.toHexString(bits));
        assertEquals(expected, (double) actual, 0.0, "exact: " + Integer.toHexString(bits));
        // the sign of zero is kept
        assertEquals(Math.copySign(1.0, expected), Math.copySign(1.0, actual), Integer.toHexString(bits));
    }

    @Test
    void everyHalfIsWidenedExactly() {
        for (int h = 0; h < 0x10000; h++) {
            check(h, HalfFloats.halfToFloat(h), oracle(h, 5, 10));
        }
    }

    @Test
    void everyBfloat16IsWidenedExactly() {
        for (int b = 0; b < 0x10000; b++) {
            check(b, HalfFloats.bfloat16ToFloat(b), oracle(b, 8, 7));
        }
    }

    @Test
    void nanPayloadsAndQuietBitSurvive() {
        assertEquals(0x7FC00000, Float.floatToRawIntBits(HalfFloats.halfToFloat(0x7E00)));
        assertEquals(0xFFC02000, Float.floatToRawIntBits(HalfFloats.halfToFloat(0xFE01)));
        assertEquals(0x7F802000, Float.floatToRawIntBits(HalfFloats.halfToFloat(0x7C01)));
        assertEquals(0xFFC10000, Float.floatToRawIntBits(HalfFloats.bfloat16ToFloat(0xFFC1)));
    }
}
