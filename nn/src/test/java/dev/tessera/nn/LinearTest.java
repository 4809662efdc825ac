package dev.tessera.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.Generator;
import dev.tessera.GradCheck;
import dev.tessera.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class LinearTest {
    /** y[r][o] = sum_i x[r][i] * w[o][i] + b[o], in double. */
    private static double[] reference(float[] x, int rows, float[] w, float[] b, int in, int out) {
        double[] y = new double[rows * out];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < out; o++) {
                double s = b == null ? 0 : b[o];
                for (int i = 0; i < in; i++) {
                    s += (double) x[r * in + i] * w[o * in + i];
                }
                y[r * out + o] = s;
            }
        }
        return y;
    }

    @Test
    void shapesAndParameterNames() {
        Linear lin = new Linear(3, 4, true, new Generator(1));
        assertArrayEquals(new int[] {4, 3}, lin.weight().shape());
        assertArrayEquals(new int[] {4}, lin.bias().shape());
        assertEquals(List.of("weight", "bias"), List.copyOf(lin.namedParameters().keySet()));
        assertTrue(lin.weight().requiresGrad());
        assertEquals(16, lin.parameterCount());
        assertEquals("Linear(in=3, out=4, bias=true)", lin.toString());
        Linear noBias = new Linear(3, 4, false);
        assertNull(noBias.bias());
        assertEquals(List.of("weight"), List.copyOf(noBias.namedParameters().keySet()));
        assertEquals("Linear(in=3, out=4, bias=false)", noBias.toString());
    }

    @Test
    void forwardMatchesDoubleLoop() {
        Linear lin = new Linear(3, 4, true, new Generator(2));
        Tensor x = NnTestUtil.uniform(3, -1, 1, 5, 3);
        double[] expected = reference(x.toFloatArray(), 5, lin.weight().toFloatArray(), lin.bias().toFloatArray(), 3, 4);
        NnTestUtil.assertClose(expected, lin.forward(x), 1e-5, 5, 4);
    }

    @Test
    void forwardWithoutBiasAndHandValues() {
        Linear lin = new Linear(2, 2, false);
        Init.zeros(lin.weight());
        try (var ng = Tensor.noGrad()) {
            lin.weight().copyFrom(Tensor.of(new float[] {1, 2, 3, 4}, 2, 2));
        }
        // [1, 1] x [[1, 3], [2, 4]] = [3, 7]
        NnTestUtil.assertClose(new double[] {3, 7}, lin.forward(Tensor.of(new float[] {1, 1}, 1, 2)), 0, 1, 2);
    }

    @Test
    void batchedAndVectorInputs() {
        Linear lin = new Linear(3, 2, true, new Generator(4));
        Tensor x3 = NnTestUtil.uniform(5, -1, 1, 2, 4, 3);
        double[] expected = reference(x3.toFloatArray(), 8, lin.weight().toFloatArray(), lin.bias().toFloatArray(), 3, 2);
        NnTestUtil.assertClose(expected, lin.forward(x3), 1e-5, 2, 4, 2);
        Tensor v = Tensor.of(new float[] {0.5f, -1f, 2f});
        double[] ev = reference(v.toFloatArray(), 1, lin.weight().toFloatArray(), lin.bias().toFloatArray(), 3, 2);
        NnTestUtil.assertClose(ev, lin.forward(v), 1e-5, 2);
    }

    @Test
    void wrongInputShapeNamesLayerAndShape() {
        Linear lin = new Linear(784, 128);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> lin.forward(Tensor.zeros(2, 5)));
        assertTrue(e.getMessage().contains("Linear(in=784, out=128)"), e.getMessage());
        assertTrue(e.getMessage().contains("[2, 5]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Linear(0, 3));
    }

    @Test
    void inputGradient() {
        Linear lin = new Linear(3, 4, true, new Generator(6));
        GradCheck.assertGradients(t -> lin.forward(t[0]), NnTestUtil.uniform(7, -1, 1, 2, 3));
    }

    @Test
    void parameterGradients() {
        Linear lin = new Linear(3, 4, true, new Generator(8));
        NnTestUtil.assertParameterGradients(lin, NnTestUtil.uniform(9, -1, 1, 5, 3));
        // The same computation with the weights as GradCheck inputs.
        GradCheck.assertGradients(t -> t[0].matmul(t[1].t()).add(t[2]), NnTestUtil.uniform(9, -1, 1, 5, 3),
                lin.weight().detach(), lin.bias().detach());
    }

    @Test
    void parameterGradientsAreSums() {
        Linear lin = new Linear(2, 1, true, new Generator(10));
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
        lin.forward(x).sum().backward();
        assertArrayEquals(new float[] {4, 6}, lin.weight().grad().toFloatArray(), 1e-6f);
        assertArrayEquals(new float[] {2}, lin.bias().grad().toFloatArray(), 1e-6f);
    }

    @Test
    void defaultInitWithinPyTorchBounds() {
        Linear lin = new Linear(64, 300, true, new Generator(11));
        double bound = 1 / Math.sqrt(64);
        for (Tensor p : lin.parameters()) {
            for (float v : p.toFloatArray()) {
                assertTrue(Math.abs(v) <= bound, "value " + v + " outside +-" + bound);
            }
        }
        float[] w = lin.weight().toFloatArray();
        double sq = 0;
        for (float v : w) {
            sq += v * v;
        }
        // U(-b, b) has std b / sqrt(3).
        assertEquals(bound / Math.sqrt(3), Math.sqrt(sq / w.length), 0.03 * bound);
    }
}
