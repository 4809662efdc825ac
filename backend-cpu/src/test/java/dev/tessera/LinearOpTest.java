package dev.tessera;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code linear} (x · weight^T + bias in one op) against a double-precision loop, the gradient
 * checker, and the same computation written as matmul then add; and the weight's gradient
 * accumulated by the product straight into a gradient the weight already has.
 */
class LinearOpTest {

    static Stream<Arguments> shapes() {
        return Stream.of(
                Arguments.of(new int[] {5}, true, false), Arguments.of(new int[] {3, 5}, true, false),
                Arguments.of(new int[] {2, 3, 5}, true, false), Arguments.of(new int[] {4, 5}, false, false),
                Arguments.of(new int[] {4, 5}, true, true), Arguments.of(new int[] {70, 5}, true, false));
    }

    @ParameterizedTest(name = "x {0} bias={1} transposed={2}")
    @MethodSource("shapes")
    void forwardMatchesADoubleLoop(int[] xShape, boolean withBias, boolean transposedInput) {
        int in = 5;
        int out = 3;
        int n = Oracle.numel(xShape);
        float[] xd = Checks.normal(11, n);
        float[] wd = Checks.normal(12, out * in);
        float[] bd = Checks.normal(13, out);
        Tensor x = transposedInput
                ? Tensor.of(transpose(xd, xShape[0], in), in, xShape[0]).t() : Tensor.of(xd, xShape);
        Tensor y = x.linear(Tensor.of(wd, out, in), withBias ? Tensor.of(bd, out) : null);
        int rows = n / in;
        double[] expected = new double[rows * out];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < out; o++) {
                double s = withBias ? bd[o] : 0;
                for (int p = 0; p < in; p++) {
                    s += (double) xd[r * in + p] * wd[o * in + p];
                }
                expected[r * out + o] = s;
            }
        }
        int[] yShape = xShape.clone();
        yShape[yShape.length - 1] = out;
        assertArrayEquals(yShape, y.shape());
        Checks.assertValues("linear " + Shape.str(xShape), expected, y.toFloatArray(), yShape, 1e-5, 1e-5);
    }

    private static float[] transpose(float[] d, int rows, int cols) {
        float[] t = new float[d.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = d[r * cols + c];
            }
        }
        return t;
    }

    @Test
    void gradientsPassTheGradientChecker() {
        Tensor x = Checks.randn(21, 2, 3, 4).requiresGrad(true);
        Tensor w = Checks.randn(22, 3, 4).requiresGrad(true);
        Tensor b = Checks.randn(23, 3).requiresGrad(true);
        GradCheck.assertGradients(t -> t[0].linear(t[1], t[2]).tanh(), x, w, b);
        GradCheck.assertGradients(t -> t[0].linear(t[1], null).tanh(), x, w);
    }

    @Test
    void gradientsEqualMatmulThenAddIncludingAccumulationIntoKeptGradients() {
        Tensor x = Checks.randn(31, 6, 4).requiresGrad(true);
        Tensor w = Checks.randn(32, 3, 4).requiresGrad(true);
        Tensor b = Checks.randn(33, 3).requiresGrad(true);
        Tensor x2 = x.detach().requiresGrad(true);
        Tensor w2 = w.detach().requiresGrad(true);
        Tensor b2 = b.detach().requiresGrad(true);
        for (int step = 0; step < 3; step++) { // the 2nd and 3rd add into the gradients of the 1st
            x.linear(w, b).square().sum().backward();
            x2.matmul(w2.t()).add(b2).square().sum().backward();
        }
        for (Tensor[] pair : new Tensor[][] {{x, x2}, {w, w2}, {b, b2}}) {
            float[] expected = pair[1].grad().toFloatArray();
            double[] e = new double[expected.length];
            for (int i = 0; i < e.length; i++) {
                e[i] = expected[i];
            }
            Checks.assertValues("accumulated gradient", e, pair[0].grad().toFloatArray(), pair[0].shape(), 1e-5, 1e-5);
        }
    }

    @Test
    void aKeptWeightGradientIsWrittenInPlace() {
        Tensor x = Checks.randn(41, 5, 4);
        Tensor w = Checks.randn(42, 3, 4).requiresGrad(true);
        x.linear(w, null).sum().backward();
        Tensor kept = w.grad();
        float[] once = kept.toFloatArray();
        x.linear(w, null).sum().backward();
        assertSame(kept, w.grad(), "the existing gradient buffer is reused");
        float[] twice = w.grad().toFloatArray();
        for (int i = 0; i < once.length; i++) {
            assertTrue(Math.abs(twice[i] - 2 * once[i]) <= 1e-5 * (1 + Math.abs(once[i])), "element " + i);
        }
        assertNull(x.grad());
    }

    @Test
    void badShapesAreNamed() {
        Tensor x = Tensor.zeros(2, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> x.linear(Tensor.zeros(3, 5), Tensor.zeros(3)));
        assertTrue(e.getMessage().contains("linear") && e.getMessage().contains("[2, 4]")
                && e.getMessage().contains("[3, 5]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> x.linear(Tensor.zeros(3, 4), Tensor.zeros(4)));
        assertTrue(e.getMessage().contains("bias [4]"), e.getMessage());
    }
}
