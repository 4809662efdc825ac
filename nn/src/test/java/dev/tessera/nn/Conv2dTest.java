package dev.tessera.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.Generator;
import dev.tessera.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link Conv2d} and {@link Conv1d}: outputs against a direct double-precision loop over the
 * layer's own weight and bias, parameter names and shapes, PyTorch's default initialisation
 * bounds, finite-difference parameter gradients, printing and error messages.
 */
class Conv2dTest {
    /** Direct convolution in double: x [n, c, h, w], weight [oc, c/g, kh, kw]. */
    static double[] reference(float[] x, int n, int c, int h, int w, float[] wt, float[] b, int oc, int kh, int kw,
                              int[] st, int[] pad, int[] dil, int groups) {
        int oh = (h + 2 * pad[0] - dil[0] * (kh - 1) - 1) / st[0] + 1;
        int ow = (w + 2 * pad[1] - dil[1] * (kw - 1) - 1) / st[1] + 1;
        int cg = c / groups;
        int ocg = oc / groups;
        double[] y = new double[n * oc * oh * ow];
        for (int i = 0; i < n; i++) {
            for (int o = 0; o < oc; o++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        double s = b == null ? 0 : b[o];
                        for (int ci = 0; ci < cg; ci++) {
                            for (int ky = 0; ky < kh; ky++) {
                                for (int kx = 0; kx < kw; kx++) {
                                    int iy = oy * st[0] - pad[0] + ky * dil[0];
                                    int ix = ox * st[1] - pad[1] + kx * dil[1];
                                    if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                        s += (double) x[((i * c + (o / ocg) * cg + ci) * h + iy) * w + ix]
                                                * wt[((o * cg + ci) * kh + ky) * kw + kx];
                                    }
                                }
                            }
                        }
                        y[((i * oc + o) * oh + oy) * ow + ox] = s;
                    }
                }
            }
        }
        return y;
    }

    @Test
    void forwardMatchesReference() {
        Conv2d conv = new Conv2d(3, 4, 3, 2, 1);
        Tensor x = NnTestUtil.uniform(1, -1, 1, 2, 3, 7, 6);
        Tensor y = conv.forward(x);
        double[] ref = reference(x.toFloatArray(), 2, 3, 7, 6, conv.weight().toFloatArray(), conv.bias().toFloatArray(), 4,
                3, 3, new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}, 1);
        NnTestUtil.assertClose(ref, y, 1e-5, 2, 4, 4, 3);
    }

    @Test
    void everyOptionMatchesReference() {
        Conv2d conv = new Conv2d(4, 6, new int[] {3, 2}, new int[] {1, 2}, new int[] {2, 1}, new int[] {2, 1}, 2, false,
                new Generator(3));
        Tensor x = NnTestUtil.uniform(2, -1, 1, 3, 4, 9, 8);
        double[] ref = reference(x.toFloatArray(), 3, 4, 9, 8, conv.weight().toFloatArray(), null, 6, 3, 2,
                new int[] {1, 2}, new int[] {2, 1}, new int[] {2, 1}, 2);
        Tensor y = conv.forward(x);
        NnTestUtil.assertClose(ref, y, 1e-5, y.shape());
        assertArrayEquals(new int[] {3, 6, 9, 5}, y.shape());
        assertNull(conv.bias());
    }

    @Test
    void depthwise() {
        Conv2d conv = new Conv2d(4, 8, 3, 1, 1, 1, 4, true);
        assertArrayEquals(new int[] {8, 1, 3, 3}, conv.weight().shape());
        Tensor x = NnTestUtil.uniform(4, -1, 1, 2, 4, 5, 5);
        double[] ref = reference(x.toFloatArray(), 2, 4, 5, 5, conv.weight().toFloatArray(), conv.bias().toFloatArray(), 8,
                3, 3, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 4);
        NnTestUtil.assertClose(ref, conv.forward(x), 1e-5, 2, 8, 5, 5);
    }

    @Test
    void parametersAndInitialisation() {
        Conv2d conv = new Conv2d(6, 16, 5);
        assertEquals(List.of("weight", "bias"), List.copyOf(conv.namedParameters().keySet()));
        assertArrayEquals(new int[] {16, 6, 5, 5}, conv.weight().shape());
        assertArrayEquals(new int[] {16}, conv.bias().shape());
        assertEquals(16 * 6 * 25 + 16, conv.parameterCount());
        assertTrue(conv.weight().requiresGrad());
        // kaiming_uniform(a = sqrt(5)) and the bias: both U(-1/sqrt(fanIn), 1/sqrt(fanIn)), fanIn = 6 * 5 * 5.
        double bound = 1 / Math.sqrt(150);
        for (Tensor p : conv.parameters()) {
            float[] v = p.toFloatArray();
            double maxAbs = 0;
            for (float f : v) {
                maxAbs = Math.max(maxAbs, Math.abs(f));
            }
            assertTrue(maxAbs <= bound, "max |value| " + maxAbs + " exceeds " + bound);
            assertTrue(maxAbs > 0.5 * bound, "values do not spread over the range: " + maxAbs);
        }
        Random.manualSeed(7);
        float[] a = new Conv2d(2, 3, 3).weight().toFloatArray();
        Random.manualSeed(7);
        assertArrayEquals(a, new Conv2d(2, 3, 3).weight().toFloatArray(), "seeded init is reproducible");
    }

    @Test
    void parameterGradients() {
        NnTestUtil.assertParameterGradients(new Conv2d(2, 3, 3, 1, 1), NnTestUtil.uniform(5, -1, 1, 2, 2, 4, 5));
        NnTestUtil.assertParameterGradients(new Conv2d(4, 4, 3, 2, 1, 1, 2, true), NnTestUtil.uniform(6, -1, 1, 1, 4, 5, 5));
    }

    @Test
    void printsLikePyTorch() {
        assertEquals("Conv2d(3, 8, kernelSize=(3, 3), stride=(1, 1), padding=(1, 1))", new Conv2d(3, 8, 3, 1, 1).toString());
        assertEquals("Conv2d(8, 8, kernelSize=(3, 3), stride=(2, 2), dilation=(2, 2), groups=8, bias=false)",
                new Conv2d(8, 8, 3, 2, 0, 2, 8, false).toString());
        assertEquals("Conv1d(4, 8, kernelSize=(3,), stride=(1,), padding=(1,))", new Conv1d(4, 8, 3, 1, 1).toString());
    }

    @Test
    void errorsNameTheLayerAndShapes() {
        Conv2d conv = new Conv2d(3, 8, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> conv.forward(Tensor.zeros(2, 4, 5, 5)));
        assertTrue(e.getMessage().contains("Conv2d(3, 8") && e.getMessage().contains("[2, 4, 5, 5]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> conv.forward(Tensor.zeros(3, 5, 5)));
        assertTrue(e.getMessage().contains("[3, 5, 5]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Conv2d(3, 8, 3, 1, 1, 1, 2, true));
        assertTrue(e.getMessage().contains("groups=2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Conv2d(3, 8, new int[] {3}, new int[] {1, 1}, new int[] {0, 0}));
        assertTrue(e.getMessage().contains("kernel"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Conv1d(3, 8, 3).forward(Tensor.zeros(2, 4, 10)));
        assertTrue(e.getMessage().contains("Conv1d") && e.getMessage().contains("[2, 4, 10]"), e.getMessage());
    }

    @Test
    void conv1dMatchesConv2dOfHeightOne() {
        Conv1d conv = new Conv1d(4, 6, 3, 2, 1, 2, 2, true, new Generator(9));
        assertArrayEquals(new int[] {6, 2, 3}, conv.weight().shape());
        Tensor x = NnTestUtil.uniform(8, -1, 1, 2, 4, 11);
        double[] ref = reference(x.toFloatArray(), 2, 4, 1, 11, conv.weight().toFloatArray(), conv.bias().toFloatArray(), 6,
                1, 3, new int[] {1, 2}, new int[] {0, 1}, new int[] {1, 2}, 2);
        Tensor y = conv.forward(x);
        NnTestUtil.assertClose(ref, y, 1e-5, 2, 6, 5);
        NnTestUtil.assertParameterGradients(conv, x);
    }
}
