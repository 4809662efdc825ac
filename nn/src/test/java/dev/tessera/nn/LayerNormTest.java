package dev.tessera.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.Generator;
import dev.tessera.GradCheck;
import dev.tessera.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class LayerNormTest {
    /** Normalises each run of m consecutive values of x, then applies w and b (indexed within the run). */
    private static double[] reference(float[] x, int m, double eps, float[] w, float[] b) {
        double[] y = new double[x.length];
        for (int r = 0; r < x.length / m; r++) {
            double mean = 0;
            for (int j = 0; j < m; j++) {
                mean += x[r * m + j];
            }
            mean /= m;
            double var = 0;
            for (int j = 0; j < m; j++) {
                double d = x[r * m + j] - mean;
                var += d * d;
            }
            var /= m;
            for (int j = 0; j < m; j++) {
                y[r * m + j] = (x[r * m + j] - mean) / Math.sqrt(var + eps) * w[j] + b[j];
            }
        }
        return y;
    }

    private static LayerNorm randomAffine(int[] shape) {
        LayerNorm ln = new LayerNorm(shape);
        Init.uniform(ln.weight(), 0.5, 1.5, new Generator(1));
        Init.uniform(ln.bias(), -0.5, 0.5, new Generator(2));
        return ln;
    }

    @Test
    void defaultsAndState() {
        LayerNorm ln = new LayerNorm(4);
        assertEquals(List.of("weight", "bias"), List.copyOf(ln.stateDict().keySet()));
        assertArrayEquals(new float[] {1, 1, 1, 1}, ln.weight().toFloatArray());
        assertArrayEquals(new float[] {0, 0, 0, 0}, ln.bias().toFloatArray());
        assertEquals("LayerNorm([4], eps=1.0E-5, elementwiseAffine=true)", ln.toString());
        assertTrue(new LayerNorm(new int[] {4}, 1e-5, false).parameters().isEmpty());
    }

    @Test
    void handValues() {
        LayerNorm ln = new LayerNorm(new int[] {2}, 0, true);
        // Rows {1, 3} and {2, 6} both become {-1, 1} with eps 0.
        Tensor y = ln.forward(Tensor.of(new float[] {1, 3, 2, 6}, 2, 2));
        NnTestUtil.assertClose(new double[] {-1, 1, -1, 1}, y, 1e-6, 2, 2);
    }

    @Test
    void lastDimensionAgainstDoubleLoop() {
        LayerNorm ln = randomAffine(new int[] {5});
        Tensor x = NnTestUtil.uniform(3, -2, 3, 2, 3, 5);
        double[] expected = reference(x.toFloatArray(), 5, 1e-5, ln.weight().toFloatArray(), ln.bias().toFloatArray());
        NnTestUtil.assertClose(expected, ln.forward(x), 1e-5, 2, 3, 5);
        ln.eval();
        NnTestUtil.assertClose(expected, ln.forward(x), 1e-5, 2, 3, 5);
    }

    @Test
    void twoTrailingDimensionsAgainstDoubleLoop() {
        LayerNorm ln = randomAffine(new int[] {3, 4});
        assertArrayEquals(new int[] {3, 4}, ln.weight().shape());
        Tensor x = NnTestUtil.uniform(4, -1, 1, 2, 3, 4);
        double[] expected = reference(x.toFloatArray(), 12, 1e-5, ln.weight().toFloatArray(), ln.bias().toFloatArray());
        NnTestUtil.assertClose(expected, ln.forward(x), 1e-5, 2, 3, 4);
    }

    @Test
    void noncontiguousInput() {
        LayerNorm ln = randomAffine(new int[] {3});
        Tensor x = NnTestUtil.uniform(5, -1, 1, 3, 4).t(); // [4, 3] view
        double[] expected = reference(x.contiguous().toFloatArray(), 3, 1e-5, ln.weight().toFloatArray(),
                ln.bias().toFloatArray());
        NnTestUtil.assertClose(expected, ln.forward(x), 1e-5, 4, 3);
    }

    @Test
    void gradients() {
        LayerNorm ln = randomAffine(new int[] {4});
        Tensor x = NnTestUtil.uniform(6, -1, 1, 3, 4);
        GradCheck.assertGradients(t -> ln.forward(t[0]), x);
        NnTestUtil.assertParameterGradients(ln, x);
        LayerNorm ln2 = randomAffine(new int[] {2, 3});
        GradCheck.assertGradients(t -> ln2.forward(t[0]), NnTestUtil.uniform(7, -1, 1, 2, 2, 3));
    }

    @Test
    void wrongShapeNamesLayerAndShapes() {
        LayerNorm ln = new LayerNorm(4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ln.forward(Tensor.zeros(2, 3)));
        assertTrue(e.getMessage().contains("LayerNorm([4])") && e.getMessage().contains("[2, 3]"), e.getMessage());
        LayerNorm ln2 = new LayerNorm(new int[] {3, 4});
        assertThrows(IllegalArgumentException.class, () -> ln2.forward(Tensor.zeros(4)));
        assertThrows(IllegalArgumentException.class, () -> new LayerNorm(new int[0]));
    }
}
