package dev.tessera;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Tensor#linearRelu}: the values against a double-precision loop, and the values and every
 * gradient bit for bit against {@code linear} then {@code relu}, also where the pre-activation is
 * exactly zero, NaN or infinite (its gradient rule reads the output where relu's reads the input).
 */
class LinearReluTest {
    private static final int IN = 7;
    private static final int OUT = 5;

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(new int[] {IN}, true, false), Arguments.of(new int[] {4, IN}, true, false),
                Arguments.of(new int[] {2, 3, IN}, true, true), Arguments.of(new int[] {6, IN}, false, false),
                Arguments.of(new int[] {40, IN}, true, true), Arguments.of(new int[] {9, IN}, false, true));
    }

    @ParameterizedTest(name = "x {0} bias={1} special={2}")
    @MethodSource("cases")
    void valuesAndGradientsHaveTheBitsOfLinearThenRelu(int[] xShape, boolean withBias, boolean special) {
        int n = Oracle.numel(xShape);
        float[] xd = Checks.normal(1, n);
        float[] wd = Checks.normal(2, OUT * IN);
        float[] bd = Checks.normal(3, OUT);
        if (special) {
            // Rows 0 and 1 of the weight are zero: those pre-activations are exactly zero (a bias
            // of -0 or +0 plus a sum of +0), where the rectifier's gradient is 0. An infinite input
            // makes its row's other pre-activations infinite (and these two NaN, inf times 0), a
            // NaN input its whole row NaN.
            for (int p = 0; p < IN; p++) {
                wd[p] = 0f;
                wd[IN + p] = 0f;
            }
            bd[0] = -0f;
            bd[1] = 0f;
            xd[0] = Float.POSITIVE_INFINITY;
            xd[n - 1] = Float.NaN;
        }
        float[] gd = Checks.normal(4, n / IN * OUT);

        Tensor[] fused = leaves(xd, xShape, wd, bd, withBias);
        Tensor y = fused[0].linearRelu(fused[1], fused[2]);
        Tensor[] plain = leaves(xd, xShape, wd, bd, withBias);
        Tensor expected = plain[0].linear(plain[1], plain[2]).relu();

        assertArrayEquals(expected.shape(), y.shape());
        Checks.assertSameBits("values", expected, y);
        int[] yShape = y.shape();
        y.mul(Tensor.of(gd, yShape)).sum().backward();
        expected.mul(Tensor.of(gd, yShape)).sum().backward();
        String[] names = {"input", "weight", "bias"};
        for (int i = 0; i < 3; i++) {
            if (plain[i] != null) {
                Checks.assertSameBits("gradient of the " + names[i], plain[i].grad(), fused[i].grad());
            }
        }
        if (!special) {
            Checks.assertValues("linearRelu", oracle(xd, wd, withBias ? bd : null), y.toFloatArray(), yShape,
                    1e-5, 1e-5);
        }
    }

    @ParameterizedTest(name = "x {0} bias={1} special={2}")
    @MethodSource("cases")
    void withoutGradientsItIsTheSameValues(int[] xShape, boolean withBias, boolean special) {
        int n = Oracle.numel(xShape);
        Tensor x = Tensor.of(Checks.normal(5, n), xShape);
        Tensor w = Tensor.of(Checks.normal(6, OUT * IN), OUT, IN);
        Tensor b = withBias ? Tensor.of(Checks.normal(7, OUT), OUT) : null;
        Tensor expected = x.linear(w, b).relu();
        try (GradMode ignored = Tensor.noGrad()) {
            Tensor y = x.linearRelu(w.requiresGrad(true), b);
            assertFalse(y.requiresGrad());
            Checks.assertSameBits("values", expected, y);
        }
        // Some outputs are cut to zero and some are not: the rectifier was applied.
        int zeros = 0;
        int positive = 0;
        for (float v : expected.toFloatArray()) {
            zeros += v == 0 ? 1 : 0;
            positive += v > 0 ? 1 : 0;
        }
        assertNotEquals(0, zeros);
        assertNotEquals(0, positive);
    }

    private static double[] oracle(float[] x, float[] w, float[] b) {
        int rows = x.length / IN;
        double[] out = new double[rows * OUT];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < OUT; o++) {
                double s = b == null ? 0 : b[o];
                for (int p = 0; p < IN; p++) {
                    s += (double) x[r * IN + p] * w[o * IN + p];
                }
                out[r * OUT + o] = Math.max(s, 0);
            }
        }
        return out;
    }

    private static Tensor[] leaves(float[] xd, int[] xShape, float[] wd, float[] bd, boolean withBias) {
        return new Tensor[] {Tensor.of(xd, xShape).requiresGrad(true), Tensor.of(wd, OUT, IN).requiresGrad(true),
                withBias ? Tensor.of(bd, OUT).requiresGrad(true) : null};
    }
}
