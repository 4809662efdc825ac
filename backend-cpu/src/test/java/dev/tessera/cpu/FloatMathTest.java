package dev.tessera.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.DoubleUnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link FloatMath}'s functions against double-precision references over every 1024th float
 * (2^22 values covering the whole range, both signs, subnormals, infinities and NaNs), and the
 * special values each must give exactly.
 */
class FloatMathTest {

    interface FloatFn {
        float apply(float x);
    }

    static Stream<Arguments> functions() {
        return Stream.of(
                Arguments.of("exp", (FloatFn) FloatMath::exp, (DoubleUnaryOperator) Math::exp, 1.0),
                Arguments.of("log", (FloatFn) FloatMath::log, (DoubleUnaryOperator) Math::log, 1.0),
                Arguments.of("expm1", (FloatFn) FloatMath::expm1, (DoubleUnaryOperator) Math::expm1, 2.0),
                Arguments.of("tanh", (FloatFn) FloatMath::tanh, (DoubleUnaryOperator) Math::tanh, 2.0),
                Arguments.of("sigmoid", (FloatFn) FloatMath::sigmoid,
                        (DoubleUnaryOperator) v -> v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)), 3.0),
                Arguments.of("softplus", (FloatFn) FloatMath::softplus,
                        (DoubleUnaryOperator) v -> Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v))), 3.0));
    }

    @ParameterizedTest(name = "{0} within {3} ulp")
    @MethodSource("functions")
    void withinUlpsOfTheDoubleReferenceOverTheWholeRange(String name, FloatFn f, DoubleUnaryOperator ref, double maxUlps) {
        double worst = 0;
        float worstAt = 0;
        for (long bits = 0; bits <= 0xffffffffL; bits += 1024) {
            float x = Float.intBitsToFloat((int) bits);
            double want = ref.applyAsDouble(x);
            float got = f.apply(x);
            if (Double.isNaN(want) || Double.isInfinite(want) || (float) want == 0f) {
                assertEquals((float) want, got, 0f, name + "(" + x + ")");
                continue;
            }
            // Ulps of the float nearest the true value; subnormal results count in the smallest ulp.
            double ulps = Math.abs(got - want) / Math.ulp((float) want);
            if (ulps > worst) {
                worst = ulps;
                worstAt = x;
            }
        }
        assertTrue(worst <= maxUlps, name + ": " + worst + " ulp at x = " + worstAt);
    }

    @org.junit.jupiter.api.Test
    void specialValues() {
        assertEquals(Float.POSITIVE_INFINITY, FloatMath.exp(88.7229f));
        assertEquals((float) Math.exp(88.72283f), FloatMath.exp(88.72283f), Math.ulp(Float.MAX_VALUE)); // the largest finite
        assertEquals(Float.MIN_VALUE, FloatMath.exp(-103.2789f)); // rounds to the smallest subnormal
        assertEquals(0f, FloatMath.exp(Float.NEGATIVE_INFINITY));
        assertEquals(Float.NEGATIVE_INFINITY, FloatMath.log(0f));
        assertEquals(Float.NEGATIVE_INFINITY, FloatMath.log(-0f));
        assertTrue(Float.isNaN(FloatMath.log(-1e-30f)));
        assertEquals(Float.POSITIVE_INFINITY, FloatMath.log(Float.POSITIVE_INFINITY));
        assertEquals(Math.log(Float.MIN_VALUE), FloatMath.log(Float.MIN_VALUE), 1e-5);
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(FloatMath.tanh(-0f)));
        assertEquals(-1f, FloatMath.tanh(Float.NEGATIVE_INFINITY));
        assertEquals(0f, FloatMath.sigmoid(-200f));
        assertEquals(1f, FloatMath.sigmoid(200f));
        assertEquals(1e-30f, FloatMath.expm1(1e-30f));
        for (float nan : new float[] {Float.NaN}) {
            assertTrue(Float.isNaN(FloatMath.exp(nan)) && Float.isNaN(FloatMath.log(nan)) && Float.isNaN(FloatMath.tanh(nan))
                    && Float.isNaN(FloatMath.sigmoid(nan)) && Float.isNaN(FloatMath.softplus(nan))
                    && Float.isNaN(FloatMath.expm1(nan)));
        }
    }
}
