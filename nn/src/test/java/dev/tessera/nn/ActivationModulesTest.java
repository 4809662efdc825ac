package dev.tessera.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.GradCheck;
import dev.tessera.Tensor;
import java.util.List;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

class ActivationModulesTest {
    private static final float[] X = {-2f, -0.5f, 0.3f, 1.7f, -1.1f, 2.4f};

    private static void assertElementwise(Module m, DoubleUnaryOperator f) {
        Tensor x = Tensor.of(X, 2, 3);
        double[] expected = new double[X.length];
        for (int i = 0; i < X.length; i++) {
            expected[i] = f.applyAsDouble(X[i]);
        }
        NnTestUtil.assertClose(expected, m.forward(x), 1e-5, 2, 3);
        assertTrue(m.parameters().isEmpty());
        GradCheck.assertGradients(t -> m.forward(t[0]), x);
    }

    /** Values on both sides of every kink of ReLU6 (0, 6) and the hard sigmoid (-3, 3), none within 0.1 of one. */
    private static final float[] KINKED = {-4.5f, -3.4f, -2.2f, -0.4f, 0.7f, 2.9f, 3.6f, 6.8f};

    private static void assertPiecewise(Module m, DoubleUnaryOperator f) {
        Tensor x = Tensor.of(KINKED, 2, 4);
        double[] expected = new double[KINKED.length];
        for (int i = 0; i < KINKED.length; i++) {
            expected[i] = f.applyAsDouble(KINKED[i]);
        }
        NnTestUtil.assertClose(expected, m.forward(x), 1e-6, 2, 4);
        assertTrue(m.parameters().isEmpty());
        GradCheck.assertGradients(t -> m.forward(t[0]), x);
    }

    @Test
    void mobileAndEfficientNetActivations() {
        assertPiecewise(new ReLU6(), v -> Math.min(Math.max(v, 0), 6));
        assertPiecewise(new Hardsigmoid(), v -> v <= -3 ? 0 : v >= 3 ? 1 : v / 6 + 0.5);
        assertPiecewise(new Hardswish(), v -> v <= -3 ? 0 : v >= 3 ? v : v * (v + 3) / 6);
        assertPiecewise(new SiLU(), v -> v / (1 + Math.exp(-v)));
        assertElementwise(new SiLU(), v -> v / (1 + Math.exp(-v)));
        // The gradients PyTorch gives off the kinks: hardswish' = x / 3 + 0.5 inside (-3, 3), 0 below, 1 above.
        Tensor x = Tensor.of(KINKED, 8).requiresGrad(true);
        new Hardswish().forward(x).sum().backward();
        float[] g = x.grad().toFloatArray();
        for (int i = 0; i < KINKED.length; i++) {
            double v = KINKED[i];
            assertEquals(v < -3 ? 0 : v > 3 ? 1 : v / 3 + 0.5, g[i], 1e-6, "hardswish'(" + v + ")");
        }
    }

    /** erf by Abramowitz-Stegun 7.1.26 (|error| < 1.5e-7). */
    private static double erf(double x) {
        double t = 1 / (1 + 0.3275911 * Math.abs(x));
        double y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t
                * Math.exp(-x * x);
        return Math.signum(x) * y;
    }

    @Test
    void elementwiseActivations() {
        assertElementwise(new ReLU(), v -> Math.max(v, 0));
        assertElementwise(new LeakyReLU(), v -> v > 0 ? v : 0.01 * v);
        assertElementwise(new LeakyReLU(0.2f), v -> v > 0 ? v : 0.2 * v);
        assertElementwise(new Sigmoid(), v -> 1 / (1 + Math.exp(-v)));
        assertElementwise(new Tanh(), Math::tanh);
        assertElementwise(new ELU(), v -> v > 0 ? v : Math.exp(v) - 1);
        assertElementwise(new ELU(0.5f), v -> v > 0 ? v : 0.5 * (Math.exp(v) - 1));
        assertElementwise(new GELU(), v -> v * 0.5 * (1 + erf(v / Math.sqrt(2))));
    }

    @Test
    void softmaxAndLogSoftmaxAlongDim() {
        Tensor x = Tensor.of(X, 2, 3);
        for (int dim : new int[] {0, 1, -1}) {
            int d = dim < 0 ? 1 : dim;
            double[] soft = new double[6];
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 3; j++) {
                    double z = 0;
                    for (int k = 0; k < (d == 1 ? 3 : 2); k++) {
                        z += Math.exp(d == 1 ? X[i * 3 + k] : X[k * 3 + j]);
                    }
                    soft[i * 3 + j] = Math.exp(X[i * 3 + j]) / z;
                }
            }
            NnTestUtil.assertClose(soft, new Softmax(dim).forward(x), 1e-6, 2, 3);
            double[] logSoft = java.util.Arrays.stream(soft).map(Math::log).toArray();
            NnTestUtil.assertClose(logSoft, new LogSoftmax(dim).forward(x), 1e-5, 2, 3);
            Softmax s = new Softmax(dim);
            GradCheck.assertGradients(t -> s.forward(t[0]), x);
            LogSoftmax ls = new LogSoftmax(dim);
            GradCheck.assertGradients(t -> ls.forward(t[0]), x);
        }
    }

    @Test
    void modulesDelegateToTensorMethods() {
        Tensor x = Tensor.of(X, 3, 2);
        assertArrayEquals(x.relu().toFloatArray(), new ReLU().forward(x).toFloatArray());
        assertArrayEquals(x.gelu().toFloatArray(), new GELU().forward(x).toFloatArray());
        assertArrayEquals(x.softmax(0).toFloatArray(), new Softmax(0).forward(x).toFloatArray());
        assertSame(x, new Identity().forward(x));
    }

    @Test
    void printout() {
        Sequential s = new Sequential(new ReLU(), new LeakyReLU(), new ELU(), new Softmax(1), new LogSoftmax(-1),
                new Sigmoid(), new Tanh(), new GELU(), new Identity(), new Flatten());
        List<String> lines = List.of(s.toString().split("\n"));
        assertEquals(List.of("Sequential(", "  (0): ReLU()", "  (1): LeakyReLU(alpha=0.01)", "  (2): ELU(alpha=1.0)",
                "  (3): Softmax(dim=1)", "  (4): LogSoftmax(dim=-1)", "  (5): Sigmoid()", "  (6): Tanh()", "  (7): GELU()",
                "  (8): Identity()", "  (9): Flatten(startDim=1, endDim=-1)", ")"), lines);
    }

    @Test
    void flatten() {
        Tensor x = NnTestUtil.uniform(1, -1, 1, 2, 3, 4, 5);
        Tensor y = new Flatten().forward(x);
        assertArrayEquals(new int[] {2, 60}, y.shape());
        assertArrayEquals(x.toFloatArray(), y.toFloatArray());
        assertArrayEquals(new int[] {2, 12, 5}, new Flatten(1, 2).forward(x).shape());
        assertArrayEquals(new int[] {120}, new Flatten(0, -1).forward(x).shape());
        Flatten f = new Flatten();
        GradCheck.assertGradients(t -> f.forward(t[0]).mul(t[0].reshape(2, 6)), NnTestUtil.uniform(2, -1, 1, 2, 3, 2));
    }
}
