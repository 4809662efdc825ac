package dev.tessera.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tessera.spi.BinaryOp;
import dev.tessera.spi.ReduceOp;
import dev.tessera.spi.UnaryOp;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Vector API kernels ({@link VectorUnary}, {@link VectorActivations}, {@link VectorBinary},
 * {@link VectorReduce}, {@link VectorSoftmax}) against double-precision references and against
 * the scalar paths, over random values, special values (NaN, infinities, signed zeros,
 * subnormals, the ends of float exp's range) and odd lengths. Each unary op is also checked after
 * a warm-up long enough for C2 to compile it: the vector math stubs only run in compiled code.
 */
class VectorKernelsTest {
    private static final int[] LENGTHS = {1, 15, 16, 17, 1000, 4099};
    private static final float NAN = Float.NaN;
    private static final float INF = Float.POSITIVE_INFINITY;
    private static final float[] SPECIAL = {NAN, INF, -INF, 0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL,
        1e-30f, -1e-30f, 1f, -1f, 2f, 0.5f, -2.5f, 88.72283f, 88.7229f, -87.33655f, -103.97208f, -103.98f, -104f,
        10.5f, -10.5f, 13f, -13f, -13.3f, 14.9f, -14.9f, 20f, -20f, 1e20f, -1e20f, Float.MAX_VALUE, -Float.MAX_VALUE};

    /** The transcendental ops whose vector loops compute {@link FloatMath}'s functions lane by lane. */
    private static final java.util.Set<UnaryOp> SAME_BITS_AS_SCALAR = java.util.EnumSet.of(UnaryOp.EXP, UnaryOp.LOG,
            UnaryOp.TANH, UnaryOp.SIGMOID, UnaryOp.SOFTPLUS, UnaryOp.ELU);

    @BeforeAll
    static void needsTheVectorApi() {
        assumeTrue(Simd.ENABLED, "the Vector API paths are off (no jdk.incubator.vector module or -Dtessera.simd=false)");
    }

    // ------------------------------------------------------------------ unary

    /** An op, its parameter, its double reference, and the error allowed in float ulps (plus an absolute floor). */
    record Case(UnaryOp op, float p, DoubleUnaryOperator ref, double ulps, double abs) {
        @Override
        public String toString() {
            return op + "(" + p + ")";
        }
    }

    static Stream<Case> unaryCases() {
        return Stream.of(
                new Case(UnaryOp.EXP, 0, Math::exp, 4, 0),
                new Case(UnaryOp.LOG, 0, Math::log, 4, 0),
                new Case(UnaryOp.TANH, 0, Math::tanh, 4, 0),
                new Case(UnaryOp.SIN, 0, Math::sin, 4, 1e-7),
                new Case(UnaryOp.COS, 0, Math::cos, 4, 1e-7),
                new Case(UnaryOp.RSQRT, 0, v -> 1 / Math.sqrt(v), 2, 0),
                new Case(UnaryOp.RECIPROCAL, 0, v -> 1 / v, 0.5, 0),
                new Case(UnaryOp.RDIV_SCALAR, 3f, v -> 3 / v, 0.5, 0),
                new Case(UnaryOp.CLAMP_MIN, 0.25f, v -> Double.isNaN(v) ? v : Math.max(v, 0.25), 0, 0),
                new Case(UnaryOp.CLAMP_MAX, -0.5f, v -> Double.isNaN(v) ? v : Math.min(v, -0.5), 0, 0),
                new Case(UnaryOp.LEAKY_RELU, 0.01f, v -> v > 0 ? v : 0.01f * v, 0.5, 0),
                new Case(UnaryOp.SIGN, 0, Math::signum, 0, 0),
                new Case(UnaryOp.POW_SCALAR, 1.5f, v -> Math.pow(v, 1.5), 4, 0),
                new Case(UnaryOp.POW_SCALAR, -3f, v -> Math.pow(v, -3), 4, 0),
                new Case(UnaryOp.SIGMOID, 0, v -> v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)), 4, 0),
                new Case(UnaryOp.SOFTPLUS, 0, v -> Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v))), 4, 0),
                new Case(UnaryOp.ELU, 0.7f, v -> v > 0 ? v : 0.7 * Math.expm1(v), 4, 0),
                // erfc's fit is good to 1.2e-7 relative: a few ulps of Phi, far inside |erf error| < 1e-6.
                new Case(UnaryOp.GELU, 0, v -> v * cdf(v), 8, 1e-44),
                // Phi(x) + x phi(x) cancels for negative x (0.229 - 0.224 at x = -0.74): a few ulps of the terms.
                new Case(UnaryOp.GELU_GRAD, 0, v -> cdf(v) + v * Math.exp(-0.5 * v * v) / Math.sqrt(2 * Math.PI), 8, 2.5e-7));
    }

    /** Random values over the ranges where each function varies, plus every special value. */
    private static float[] unaryValues(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[40_000];
        for (int i = 0; i < v.length; i++) {
            v[i] = switch (i % 5) {
                case 0 -> (float) (r.nextDouble() * 8 - 4);
                case 1 -> (float) (r.nextDouble() * 40 - 20);
                case 2 -> (float) (r.nextDouble() * 220 - 110); // exp overflow and subnormal results
                case 3 -> (float) Math.exp(r.nextDouble() * 120 - 100); // positive, log-spaced
                default -> (float) (r.nextDouble() * 2e-3 - 1e-3);
            };
        }
        for (int i = 0; i < SPECIAL.length; i++) {
            v[i * 997 % v.length] = SPECIAL[i]; // spread over different lanes and vectors
        }
        return v;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unaryCases")
    void unaryMatchesDoubleReferenceBeforeAndAfterJit(Case c) {
        float[] x = unaryValues(c.op.ordinal());
        float[] out = new float[x.length];
        if (!VectorUnary.supports(c.op, c.p)) { // sin, cos, pow: the scalar loop runs, checked alone
            assertFalse(VectorUnary.row(c.op, c.p, x, 0, out, 0, x.length));
            UnaryKernels.row(c.op, c.p, x, 0, 1, out, 0, 1, x.length, true);
            checkUnary(c, x, out, "scalar path");
            return;
        }
        assertTrue(VectorUnary.row(c.op, c.p, x, 0, out, 0, x.length));
        checkUnary(c, x, out, "first call");
        long start = System.nanoTime();
        for (int k = 0; k < 40 || System.nanoTime() - start < 200_000_000L && k < 2_000; k++) {
            VectorUnary.row(c.op, c.p, x, 0, out, 0, x.length);
        }
        Arrays.fill(out, 42f);
        VectorUnary.row(c.op, c.p, x, 0, out, 0, x.length);
        checkUnary(c, x, out, "after warm-up");
        // The scalar path agrees with the reference too (so with the vector path, to twice the tolerance).
        float[] scalar = new float[x.length];
        UnaryKernels.row(c.op, c.p, x, 0, 1, scalar, 0, 1, x.length, false);
        Case loose = new Case(c.op, c.p, c.ref, Math.max(2, c.ulps), c.abs);
        checkUnary(loose, x, scalar, "scalar path");
    }

    private static void checkUnary(Case c, float[] x, float[] out, String when) {
        for (int i = 0; i < x.length; i++) {
            double ref = c.ref.applyAsDouble(x[i]);
            if (!close(out[i], ref, c.ulps, c.abs)) {
                fail(c + " " + when + " at x = " + x[i] + ": got " + out[i] + ", expected " + ref + " ("
                        + ulps(out[i], ref) + " ulp)");
            }
        }
    }

    @Test
    void expOfWholeVectorsBelowOrBeyondTheNormalRangeIsFloatMathsBitForBit() {
        // Vectors all below the range (masked attention scores), all above it, mixed, holding NaN,
        // normal; then an odd tail. Each branch of the loop, before and after the JIT compiles it.
        int ln = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length();
        float[] x = new float[6 * ln + 5];
        for (int i = 0; i < x.length; i++) {
            int block = i / ln;
            x[i] = switch (block) {
                case 0 -> i % 2 == 0 ? -1e30f : -104.5f - i;
                case 1 -> 90f + i;
                case 2 -> i % 3 == 0 ? -1e30f : (i % 3 == 1 ? -95f : 1.5f);
                case 3 -> i % 5 == 0 ? Float.NaN : -3f;
                case 4 -> -80f + i;
                default -> -1e30f;
            };
        }
        float[] out = new float[x.length];
        for (int round = 0; round < 2; round++) {
            for (int k = 0; k < (round == 0 ? 1 : 20_000); k++) {
                VectorMath.exp(x, 0, 0.25f, out, 0, x.length);
            }
            for (int i = 0; i < x.length; i++) {
                float want = FloatMath.exp(x[i] - 0.25f);
                assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(out[i]),
                        (round == 0 ? "first call" : "after warm-up") + " at x = " + x[i]);
            }
        }
    }

    @Test
    void geluErfErrorIsBelowOneMillionth() {
        float[] x = new float[20_001];
        for (int i = 0; i < x.length; i++) {
            x[i] = -10f + i * 1e-3f;
        }
        float[] out = new float[x.length];
        for (int k = 0; k < 200; k++) {
            VectorUnary.row(UnaryOp.GELU, 0, x, 0, out, 0, x.length);
        }
        double worst = 0;
        for (int i = 0; i < x.length; i++) {
            if (x[i] != 0f) { // GELU = x * Phi = x * (1 + erf(x / sqrt 2)) / 2
                worst = Math.max(worst, Math.abs(2 * ((double) out[i] / x[i]) - 2 * cdf(x[i])));
            }
        }
        assertTrue(worst < 1e-6, "erf error " + worst);
    }

    @Test
    void unaryOddLengthsOffsetsAndInPlace() {
        float[] data = unaryValues(7);
        for (Case c : unaryCases().toList()) {
            if (!VectorUnary.supports(c.op, c.p)) {
                continue;
            }
            for (int n : LENGTHS) {
                float[] x = Arrays.copyOfRange(data, 100, 100 + n + 3);
                float[] want = new float[n + 5];
                UnaryKernels.row(c.op, c.p, x, 3, 1, want, 5, 1, n, false);
                float[] got = new float[n + 5];
                VectorUnary.row(c.op, c.p, x, 3, got, 5, n);
                UnaryKernels.row(c.op, c.p, x, 3, 1, x, 3, 1, n, true); // in place, through the dispatcher
                for (int i = 0; i < n; i++) {
                    // Both paths are within tolerance of the reference; the exact ops and FloatMath's
                    // functions give the same bits on both paths.
                    double tol = 2 * c.ulps + 2;
                    boolean exact = c.ulps == 0 || SAME_BITS_AS_SCALAR.contains(c.op);
                    if (exact ? Float.floatToIntBits(got[5 + i]) != Float.floatToIntBits(want[5 + i])
                            : !close(got[5 + i], want[5 + i], tol, 1e-6)) {
                        fail(c + " n=" + n + " i=" + i + ": " + got[5 + i] + " vs scalar " + want[5 + i]);
                    }
                    if (exact ? Float.floatToIntBits(x[3 + i]) != Float.floatToIntBits(want[5 + i])
                            : !close(x[3 + i], want[5 + i], tol, 1e-6)) {
                        fail(c + " in place n=" + n + " i=" + i + ": " + x[3 + i] + " vs scalar " + want[5 + i]);
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ binary

    @Test
    void binaryEveryOpAndLayoutAgreesWithScalar() {
        SplittableRandom r = new SplittableRandom(11);
        float[] pool = {0f, -0f, 1f, -1f, 2f, 0.5f, NAN, INF, -INF, 3f, Float.MIN_VALUE};
        for (BinaryOp op : BinaryOp.values()) {
            for (int n : LENGTHS) {
                float[] a = new float[n + 2];
                float[] b = new float[n + 2];
                for (int i = 0; i < a.length; i++) { // ties and special values are common, on purpose
                    a[i] = r.nextInt(3) == 0 ? pool[r.nextInt(pool.length)] : (float) (r.nextGaussian() * 3);
                    b[i] = r.nextInt(3) == 0 ? pool[r.nextInt(pool.length)]
                            : r.nextBoolean() ? a[i] : (float) (r.nextGaussian() * 3);
                }
                for (int[] st : new int[][] {{1, 1}, {1, 0}, {0, 1}}) {
                    float[] want = new float[n];
                    for (int i = 0; i < n; i++) {
                        want[i] = BinaryKernels.apply(op, a[1 + i * st[0]], b[2 + i * st[1]]);
                    }
                    float[] got = new float[n];
                    if (!VectorBinary.row(op, a, 1, st[0], b, 2, st[1], got, 0, n)) {
                        assertTrue(op == BinaryOp.POW, op + " declined");
                        continue;
                    }
                    for (int i = 0; i < n; i++) { // bit for bit (NaN for NaN) but for pow, within 2 ulps
                        if (!same(op, got[i], want[i])) {
                            fail(op + " strides " + Arrays.toString(st) + " n=" + n + " i=" + i
                                    + ": " + a[1 + i * st[0]] + ", " + b[2 + i * st[1]] + " -> " + got[i] + " vs " + want[i]);
                        }
                    }
                    float[] inPlace = Arrays.copyOf(a, a.length); // out is a at the same offset
                    BinaryKernels.row(op, inPlace, 1, st[0], b, 2, st[1], inPlace, 1, 1, st[0] == 1 ? n : 0, true);
                    for (int i = 0; st[0] == 1 && i < n; i++) {
                        if (!same(op, inPlace[1 + i], want[i])) {
                            fail(op + " in place i=" + i + ": " + inPlace[1 + i] + " vs " + want[i]);
                        }
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ reductions

    static Stream<Arguments> shapes() {
        return Stream.of(Arguments.of(3, 1, 1), Arguments.of(5, 15, 1), Arguments.of(4, 16, 1), Arguments.of(3, 17, 1),
                Arguments.of(2, 1000, 1), Arguments.of(1, 4099, 1), Arguments.of(1, 200_003, 1), Arguments.of(2, 3, 100),
                Arguments.of(4, 130, 37), Arguments.of(1, 1030, 48), Arguments.of(3, 17, 16), Arguments.of(2, 70, 300),
                Arguments.of(300, 10, 1), Arguments.of(70, 31, 1));
    }

    private static float[] reduceData(int len, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[len];
        for (int i = 0; i < len; i++) {
            x[i] = r.nextInt(8) == 0 ? (r.nextBoolean() ? 0f : -0f) : r.nextInt(5) == 0 ? 4f : (float) r.nextGaussian();
        }
        return x;
    }

    @ParameterizedTest(name = "[{0}, {1}, {2}]")
    @MethodSource("shapes")
    void reductionsAgreeWithScalarAndReference(int outer, int n, int inner) {
        int len = outer * n * inner;
        for (int variant = 0; variant < 4; variant++) {
            float[] x = reduceData(len + 3, variant);
            if (variant == 1) { // a NaN in some lines: it wins max/argmax, first one first
                for (int k = 0; k < 5; k++) {
                    x[3 + new SplittableRandom(k).nextInt(len)] = NAN;
                }
            } else if (variant == 2) {
                Arrays.fill(x, 3, 3 + len / 2, -INF);
            } else if (variant == 3) {
                Arrays.fill(x, 3, 3 + len, 1f); // all tied: index 0 wins
            }
            for (ReduceOp op : ReduceOp.values()) {
                boolean arg = op == ReduceOp.ARGMAX || op == ReduceOp.ARGMIN;
                float[] fv = new float[outer * inner + 2];
                float[] fs = new float[outer * inner + 2];
                int[] iv = new int[outer * inner + 2];
                int[] is = new int[outer * inner + 2];
                ReduceKernels.reduce(op, x, 3, outer, n, inner, arg ? null : fv, arg ? iv : null, 2, true);
                ReduceKernels.reduce(op, x, 3, outer, n, inner, arg ? null : fs, arg ? is : null, 2, false);
                for (int o = 0; o < outer; o++) {
                    for (int c = 0; c < inner; c++) {
                        int k = 2 + o * inner + c;
                        String at = op + " variant " + variant + " at (" + o + ", " + c + ")";
                        if (op == ReduceOp.SUM) {
                            double s = 0;
                            double abs = 0;
                            for (int j = 0; j < n; j++) {
                                float v = x[3 + (o * n + j) * inner + c];
                                s += v;
                                abs += Math.abs(v);
                            }
                            if (!close(fv[k], s, 1, 1e-6 * abs)) {
                                fail(at + ": " + fv[k] + " vs " + s);
                            }
                            if (!close(fs[k], s, 1, 1e-6 * abs)) {
                                fail(at + " scalar: " + fs[k] + " vs " + s);
                            }
                        } else if (arg) {
                            assertEquals(is[k], iv[k], at);
                        } else {
                            assertEquals(Float.floatToIntBits(fs[k]), Float.floatToIntBits(fv[k]),
                                    at + ": " + fv[k] + " vs " + fs[k]);
                        }
                    }
                }
            }
        }
    }

    @Test
    void argBestFollowsFirstOccurrenceAndNaNRules() {
        float[] x = new float[100];
        Arrays.fill(x, -1f);
        x[40] = 0f;
        x[70] = -0f;
        x[20] = -0f; // -0 == +0: the first of the tied zeros wins
        assertEquals(20, VectorReduce.argBest(x, 0, 100, true));
        x[90] = NAN;
        x[95] = NAN;
        assertEquals(90, VectorReduce.argBest(x, 0, 100, true));
        assertEquals(90, VectorReduce.argBest(x, 0, 100, false));
        Arrays.fill(x, INF);
        x[33] = -INF;
        assertEquals(0, VectorReduce.argBest(x, 0, 100, true));
        assertEquals(33, VectorReduce.argBest(x, 0, 100, false));
    }

    // ------------------------------------------------------------------ softmax

    @ParameterizedTest(name = "[{0}, {1}, {2}]")
    @MethodSource("shapes")
    void softmaxMatchesDoubleReferenceAndScalar(int outer, int n, int inner) {
        int len = outer * n * inner;
        if (len > 300_000) {
            return;
        }
        for (boolean log : new boolean[] {false, true}) {
            for (int variant = 0; variant < 3; variant++) {
                float[] x = reduceData(len + 1, 31 + variant);
                for (int i = 0; i < x.length; i++) {
                    x[i] *= 8;
                }
                if (variant == 1) {
                    for (int i = 1; i < x.length; i += 3) {
                        x[i] = -INF; // masked entries: probability 0
                    }
                } else if (variant == 2) {
                    Arrays.fill(x, 1, 1 + n * inner, -INF); // the first block's lines are all -inf: NaN
                    x[x.length - 1] = NAN; // the last line is NaN
                    if (outer > 1) {
                        x[1 + n * inner] = INF; // a line holding +inf is NaN
                    }
                }
                float[] vec = new float[len + 1];
                float[] sca = new float[len + 1];
                ReduceKernels.softmax(x, 1, outer, n, inner, vec, 1, log, true);
                ReduceKernels.softmax(x, 1, outer, n, inner, sca, 1, log, false);
                float[] inPlace = Arrays.copyOf(x, x.length);
                ReduceKernels.softmax(inPlace, 1, outer, n, inner, inPlace, 1, log, true);
                for (int o = 0; o < outer; o++) {
                    for (int c = 0; c < inner; c++) {
                        double max = Double.NEGATIVE_INFINITY;
                        for (int j = 0; j < n; j++) {
                            max = Math.max(max, x[1 + (o * n + j) * inner + c]);
                        }
                        double m = max == Double.NEGATIVE_INFINITY ? 0 : max;
                        double sum = 0;
                        for (int j = 0; j < n; j++) {
                            sum += Math.exp(x[1 + (o * n + j) * inner + c] - m);
                        }
                        for (int j = 0; j < n; j++) {
                            int k = 1 + (o * n + j) * inner + c;
                            double ref = log ? (x[k] - m) - Math.log(sum) : Math.exp(x[k] - m) / sum;
                            double tol = 1e-5 * Math.abs(ref) + 1e-6;
                            if (!close(vec[k], ref, 0, tol) || !close(sca[k], ref, 0, tol) || !close(inPlace[k], ref, 0, tol)) {
                                fail((log ? "log" : "") + "softmax variant " + variant + " line (" + o + ", " + c + ") j=" + j
                                        + ": vector " + vec[k] + ", scalar " + sca[k] + ", in place " + inPlace[k]
                                        + ", expected " + ref);
                            }
                        }
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    /**
     * Equal as floats (NaN to NaN, infinity to the same infinity), or within {@code ulps} float
     * ulps of {@code ref} plus {@code abs}.
     */
    private static boolean close(float got, double ref, double ulps, double abs) {
        if (Double.isNaN(ref) || Float.isNaN(got)) {
            return Double.isNaN(ref) && Float.isNaN(got);
        }
        if (got == ref) {
            return true;
        }
        float rounded = (float) ref;
        if (Float.isInfinite(got) || Float.isInfinite(rounded)) {
            return got == rounded; // a finite double beyond the float range rounds to infinity
        }
        return Math.abs(got - ref) <= ulps * Math.ulp(rounded) + abs;
    }

    private static boolean same(BinaryOp op, float got, float want) {
        return op == BinaryOp.POW ? close(got, want, 2, 0) : Float.floatToIntBits(got) == Float.floatToIntBits(want);
    }

    private static double ulps(float got, double ref) {
        return Math.abs(got - ref) / Math.ulp((float) ref);
    }

    /** The standard normal CDF to near double precision: erf by its series below 3, erfc by its continued fraction above. */
    static double cdf(double x) {
        double z = Math.abs(x) / Math.sqrt(2);
        double erfc;
        if (z < 3) {
            double term = z;
            double s = z;
            for (int k = 1; k < 300 && Math.abs(term) > 1e-20 * s; k++) {
                term *= -z * z / k;
                s += term / (2 * k + 1);
            }
            erfc = 1 - 2 / Math.sqrt(Math.PI) * s;
        } else {
            // erfc(z) = exp(-z^2)/sqrt(pi) / (z + (1/2)/(z + 1/(z + (3/2)/(z + ...)))), evaluated from the tail
            double f = z;
            for (int k = 200; k >= 1; k--) {
                f = z + (k / 2.0) / f;
            }
            erfc = Math.exp(-z * z) / Math.sqrt(Math.PI) / f;
        }
        return x >= 0 ? 1 - erfc / 2 : erfc / 2;
    }
}
