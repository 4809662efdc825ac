package dev.tessera.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.GradCheck;
import dev.tessera.Generator;
import dev.tessera.Tensor;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The non-loss half of F: activations, dropout, linear, one-hot and attention. */
class FFunctionalTest {
    private static final float[] X = {-2f, -0.5f, 0.25f, 1.5f, 3f, -1.25f};

    static Stream<Arguments> activations() {
        return Stream.of(
                Arguments.of("relu", (UnaryOperator<Tensor>) F::relu, (UnaryOperator<Double>) x -> Math.max(x, 0)),
                Arguments.of("leakyRelu", (UnaryOperator<Tensor>) x -> F.leakyRelu(x, 0.1f),
                        (UnaryOperator<Double>) x -> x > 0 ? x : 0.1 * x),
                Arguments.of("elu", (UnaryOperator<Tensor>) x -> F.elu(x, 1.5f),
                        (UnaryOperator<Double>) x -> x > 0 ? x : 1.5 * (Math.exp(x) - 1)),
                Arguments.of("sigmoid", (UnaryOperator<Tensor>) F::sigmoid, (UnaryOperator<Double>) x -> 1 / (1 + Math.exp(-x))),
                Arguments.of("tanh", (UnaryOperator<Tensor>) F::tanh, (UnaryOperator<Double>) Math::tanh),
                Arguments.of("softplus", (UnaryOperator<Tensor>) F::softplus, (UnaryOperator<Double>) x -> Math.log1p(Math.exp(x))),
                Arguments.of("silu", (UnaryOperator<Tensor>) F::silu, (UnaryOperator<Double>) x -> x / (1 + Math.exp(-x))),
                // tanh approximation is within 1e-3 of the exact GELU on this range; the exact one is what is implemented.
                Arguments.of("gelu", (UnaryOperator<Tensor>) F::gelu, (UnaryOperator<Double>) x ->
                        0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("activations")
    void activationsMatchTheirFormulasAndGradients(String name, UnaryOperator<Tensor> f, UnaryOperator<Double> oracle) {
        float[] out = f.apply(Tensor.of(X)).toFloatArray();
        for (int i = 0; i < X.length; i++) {
            assertEquals(oracle.apply((double) X[i]), out[i], name.equals("gelu") ? 1e-3 : 1e-5, name + " at " + X[i]);
        }
        GradCheck.assertGradients(in -> f.apply(in[0]), Tensor.of(X));
    }

    @Test
    void softmaxAndLogSoftmaxAlongADimension() {
        Tensor x = Tensor.of(X, 2, 3);
        float[] s = F.softmax(x, 1).toFloatArray();
        float[] ls = F.logSoftmax(x, -1).toFloatArray();
        for (int r = 0; r < 2; r++) {
            double z = 0;
            for (int c = 0; c < 3; c++) {
                z += Math.exp(X[r * 3 + c]);
            }
            for (int c = 0; c < 3; c++) {
                assertEquals(Math.exp(X[r * 3 + c]) / z, s[r * 3 + c], 1e-6);
                assertEquals(X[r * 3 + c] - Math.log(z), ls[r * 3 + c], 1e-5);
            }
        }
        float[] cols = F.softmax(x, 0).toFloatArray();
        assertEquals(1.0, cols[0] + cols[3], 1e-6);
    }

    @Test
    void dropoutZeroesAboutPAndScalesTheRest() {
        Tensor x = Tensor.ones(100, 100);
        float[] y = F.dropout(x, 0.3f, true, new Generator(42)).toFloatArray();
        int zeros = 0;
        for (float v : y) {
            if (v == 0f) {
                zeros++;
            } else {
                assertEquals(1 / 0.7f, v, 1e-6f);
            }
        }
        assertEquals(0.3, zeros / 10000.0, 0.02);
        assertArrayEquals(y, F.dropout(x, 0.3f, true, new Generator(42)).toFloatArray(), "same seed, same mask");
    }

    @Test
    void dropoutIsTheIdentityInEvalModeOrAtZeroAndZeroAtOne() {
        Tensor x = Tensor.of(X);
        assertSame(x, F.dropout(x, 0.5f, false, null));
        assertSame(x, F.dropout(x, 0f, true, new Generator(1)));
        assertArrayEquals(new float[X.length], F.dropout(x, 1f, true, new Generator(1)).toFloatArray(), 0f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> F.dropout(x, 1.5f, true, null));
        assertEquals("dropout: p must be in [0, 1], got 1.5", e.getMessage());
    }

    @Test
    void dropoutGradientFlowsThroughTheKeptElements() {
        Tensor x = Tensor.of(X).requiresGrad(true);
        Tensor y = F.dropout(x, 0.5f, true, new Generator(7));
        y.sum().backward();
        float[] out = y.toFloatArray();
        float[] g = x.grad().toFloatArray();
        for (int i = 0; i < X.length; i++) {
            assertEquals(out[i] == 0f ? 0f : 2f, g[i], 1e-6f);
        }
    }

    @Test
    void linearUsesPyTorchsWeightLayout() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor w = Tensor.of(new float[] {1, 0, -1, 0.5f, 0.5f, 0.5f}, 2, 3);
        Tensor b = Tensor.of(new float[] {10, 20});
        assertArrayEquals(new float[] {8, 23, 8, 27.5f}, F.linear(x, w, b).toFloatArray(), 1e-6f);
        assertArrayEquals(new float[] {-2, 3, -2, 7.5f}, F.linear(x, w, null).toFloatArray(), 1e-6f);
        assertEquals("linear: input must not be null",
                assertThrows(NullPointerException.class, () -> F.linear(null, w, b)).getMessage());
        assertEquals("linear: weight must not be null",
                assertThrows(NullPointerException.class, () -> F.linear(x, null, b)).getMessage());
    }

    @Test
    void oneHotEncodesLabels() {
        Tensor labels = Tensor.ofInts(new int[] {2, 0, 1, 2}, 2, 2);
        Tensor h = F.oneHot(labels, 3);
        assertArrayEquals(new int[] {2, 2, 3}, h.shape());
        assertArrayEquals(new float[] {0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1}, h.toFloatArray());
        assertArrayEquals(new int[] {2, 2, 3}, F.oneHot(labels, -1).shape());
        assertArrayEquals(new int[] {2, 2, 5}, F.oneHot(labels, 5).shape());
    }

    @Test
    void oneHotRejectsBadLabels() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> F.oneHot(Tensor.ofInts(new int[] {0, 3}, 2), 3));
        assertTrue(e.getMessage().startsWith("oneHot: label 3 at flat position 1 is outside [0, 3)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> F.oneHot(Tensor.of(new float[] {0, 1}), 2));
        assertTrue(e.getMessage().startsWith("oneHot: labels must be INT32"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> F.oneHot(Tensor.ofInts(new int[] {-1}, 1), -1));
    }

    @Test
    void scaledDotProductAttentionMatchesOracle() {
        Generator g = new Generator(3);
        Tensor q = Tensor.randn(g, 2, 3, 4);
        Tensor k = Tensor.randn(g, 2, 5, 4);
        Tensor v = Tensor.randn(g, 2, 5, 2);
        float[] out = F.scaledDotProductAttention(q, k, v, null).toFloatArray();
        float[] qs = q.toFloatArray();
        float[] ks = k.toFloatArray();
        float[] vs = v.toFloatArray();
        for (int b = 0; b < 2; b++) {
            for (int i = 0; i < 3; i++) {
                double[] w = new double[5];
                double z = 0;
                for (int j = 0; j < 5; j++) {
                    double dot = 0;
                    for (int e = 0; e < 4; e++) {
                        dot += qs[(b * 3 + i) * 4 + e] * ks[(b * 5 + j) * 4 + e];
                    }
                    w[j] = Math.exp(dot / 2); // sqrt(4) = 2
                    z += w[j];
                }
                for (int c = 0; c < 2; c++) {
                    double acc = 0;
                    for (int j = 0; j < 5; j++) {
                        acc += w[j] / z * vs[(b * 5 + j) * 2 + c];
                    }
                    assertEquals(acc, out[(b * 3 + i) * 2 + c], 1e-5);
                }
            }
        }
        GradCheck.assertGradients(in -> F.scaledDotProductAttention(in[0], in[1], in[2], null), q, k, v);
    }

    @Test
    void causalMaskHidesTheFuture() {
        Tensor mask = F.causalMask(3);
        assertArrayEquals(new float[] {0, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY, 0, 0, Float.NEGATIVE_INFINITY,
            0, 0, 0}, mask.toFloatArray());
        Tensor q = Tensor.randn(new Generator(4), 3, 2);
        Tensor v = Tensor.of(new float[] {1, 0, 0, 1, 5, 5}, 3, 2);
        float[] out = F.scaledDotProductAttention(q, q, v, mask).toFloatArray();
        assertArrayEquals(new float[] {1, 0}, new float[] {out[0], out[1]}, 1e-6f, "the first position sees only itself");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> F.scaledDotProductAttention(q, Tensor.zeros(3, 5), v, null));
        assertTrue(e.getMessage().contains("q [3, 2], k [3, 5], v [3, 2]"), e.getMessage());
    }
}
