package dev.tessera;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tessera.kit.ComposedOnly;
import dev.tessera.spi.Backend;
import dev.tessera.spi.View;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The softmax and log-softmax gradient ({@link Backend#softmaxBackward}): the CPU kernels (vector
 * rows from 32 elements, blocks of shorter rows for log-softmax, scalar lines otherwise) and the
 * composed SPI default against a double-precision oracle, on lines short and long, along the last
 * axis and an inner one.
 */
class SoftmaxBackwardTest {

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        int[][] shapes = {{3, 1, 1}, {4, 7, 1}, {300, 10, 1}, {70, 31, 1}, {5, 32, 1}, {3, 37, 1}, {2, 128, 1}, {2, 300, 1}, {3, 40, 3}, {2, 5, 17}};
        for (int[] s : shapes) {
            for (boolean log : new boolean[] {false, true}) {
                out.add(Arguments.of(s[0], s[1], s[2], log));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "outer={0} n={1} inner={2} log={3}")
    @MethodSource("cases")
    void cpuAndComposedMatchDoubleOracle(int outer, int n, int inner, boolean log) {
        int[] shape = {outer, n, inner};
        Tensor x = Checks.randn(7L * n + inner, shape).mul(3f);
        Tensor g = Checks.randn(11L * n + outer, shape);
        Tensor y = log ? x.logSoftmax(1) : x.softmax(1);
        double[] expected = oracle(x.toFloatArray(), g.toFloatArray(), outer, n, inner, log);

        // Through autograd: the CPU backend's kernel.
        Tensor xg = x.detach().requiresGrad(true);
        Tensor out = log ? xg.logSoftmax(1) : xg.softmax(1);
        out.backward(g);
        assertClose("cpu", expected, xg.grad().toFloatArray());

        // The SPI default, composed of the kit device's primitives.
        Backend composed = ComposedOnly.onTestDevice();
        View yv = ComposedOnly.view(composed, y.toFloatArray(), shape);
        View gv = ComposedOnly.view(composed, g.toFloatArray(), shape);
        View gx = ComposedOnly.view(composed, new float[outer * n * inner], shape);
        composed.softmaxBackward(yv.storage(), 0, gv.storage(), 0, outer, n, inner, gx.storage(), 0, log);
        assertClose("composed", expected, composed.readFloats(gx));
    }

    /** gx from x in double: softmax y, then y*(g - sum(g*y)), or g - y*sum(g) for log-softmax. */
    private static double[] oracle(float[] x, float[] g, int outer, int n, int inner, boolean log) {
        double[] gx = new double[x.length];
        for (int o = 0; o < outer; o++) {
            for (int c = 0; c < inner; c++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < n; j++) {
                    max = Math.max(max, x[(o * n + j) * inner + c]);
                }
                double z = 0;
                for (int j = 0; j < n; j++) {
                    z += Math.exp(x[(o * n + j) * inner + c] - max);
                }
                double sum = 0;
                for (int j = 0; j < n; j++) {
                    int i = (o * n + j) * inner + c;
                    double p = Math.exp(x[i] - max) / z;
                    sum += log ? g[i] : g[i] * p;
                }
                for (int j = 0; j < n; j++) {
                    int i = (o * n + j) * inner + c;
                    double p = Math.exp(x[i] - max) / z;
                    gx[i] = log ? g[i] - p * sum : p * (g[i] - sum);
                }
            }
        }
        return gx;
    }

    private static void assertClose(String what, double[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 2e-5 + 1e-4 * Math.abs(expected[i]), what + ": element " + i);
        }
    }
}
