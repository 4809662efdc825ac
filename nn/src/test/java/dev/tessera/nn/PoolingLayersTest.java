package dev.tessera.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The pooling layers against values worked out by hand or by a double loop (PyTorch's window
 * rules), their printing, and that they hold no state.
 */
class PoolingLayersTest {
    private static final Tensor X = Tensor.arange(32).reshape(1, 2, 4, 4); // planes 0..15 and 16..31

    @Test
    void maxPool() {
        assertArrayEquals(new float[] {5, 7, 13, 15, 21, 23, 29, 31}, new MaxPool2d(2).forward(X).toFloatArray());
        // 3x3 windows, stride 2, padding 1 over a 4x4 plane: outputs 2x2.
        Tensor y = new MaxPool2d(3, 2, 1).forward(X);
        assertArrayEquals(new int[] {1, 2, 2, 2}, y.shape());
        assertArrayEquals(new float[] {5, 7, 13, 15, 21, 23, 29, 31}, y.toFloatArray());
        Tensor z = new MaxPool2d(new int[] {2, 1}, new int[] {2, 1}, new int[] {0, 0}).forward(X);
        assertArrayEquals(new int[] {1, 2, 2, 4}, z.shape());
        assertEquals(0, new MaxPool2d(2).parameterCount());
    }

    @Test
    void avgPool() {
        assertArrayEquals(new float[] {2.5f, 4.5f, 10.5f, 12.5f}, new AvgPool2d(2).forward(X).slice(1, 0, 1).toFloatArray());
        // Padding 1, kernel 2, stride 2 on 4x4: windows at rows {-1,0}, {1,2}, {3,4}; counted or not.
        Tensor ones = Tensor.ones(1, 1, 4, 4);
        Tensor counted = new AvgPool2d(2, 2, 1).forward(ones);
        assertArrayEquals(new float[] {0.25f, 0.5f, 0.25f, 0.5f, 1, 0.5f, 0.25f, 0.5f, 0.25f}, counted.toFloatArray());
        Tensor uncounted = new AvgPool2d(new int[] {2, 2}, null, new int[] {1, 1}, false).forward(ones);
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1, 1, 1, 1}, uncounted.toFloatArray());
    }

    @Test
    void ceilModeKeepsAPartialLastWindow() {
        // 5x5 plane 0..24, 2x2 windows, stride 2: floor mode 2x2 outputs, ceil mode 3x3 (last row/column partial).
        Tensor x = Tensor.arange(25).reshape(1, 1, 5, 5);
        assertArrayEquals(new int[] {1, 1, 2, 2}, new MaxPool2d(2, 2, 0).forward(x).shape());
        MaxPool2d max = new MaxPool2d(2, 2, 0, true);
        assertArrayEquals(new float[] {6, 8, 9, 16, 18, 19, 21, 23, 24}, max.forward(x).toFloatArray());
        assertTrue(max.ceilMode());
        assertEquals("MaxPool2d(kernelSize=2, stride=2, padding=0, ceilMode=true)", max.toString());
        // Average: the partial windows divide by the elements inside the input (no padding to count).
        AvgPool2d avg = new AvgPool2d(new int[] {2, 2}, null, new int[] {0, 0}, true, true);
        assertArrayEquals(new float[] {3, 5, 6.5f, 13, 15, 16.5f, 20.5f, 22.5f, 24}, avg.forward(x).toFloatArray());
        assertEquals("AvgPool2d(kernelSize=2, stride=2, padding=0, ceilMode=true)", avg.toString());
        Tensor xg = Tensor.arange(25).reshape(1, 1, 5, 5).requiresGrad(true);
        max.forward(xg).sum().backward();
        assertEquals(9f, xg.grad().sum().item(), "each of the 9 windows routes its gradient to one element");
    }

    @Test
    void adaptiveAvgPoolWithSizesThatDoNotDivide() {
        // 4 -> 3: windows [0, 2), [1, 3), [2, 4) on each axis.
        Tensor y = new AdaptiveAvgPool2d(3, 3).forward(X.slice(1, 0, 1));
        float[] expected = new float[9];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                double s = 0;
                for (int r = i; r < i + 2; r++) {
                    for (int c = j; c < j + 2; c++) {
                        s += r * 4 + c;
                    }
                }
                expected[i * 3 + j] = (float) (s / 4);
            }
        }
        assertArrayEquals(expected, y.toFloatArray(), 1e-6f);
        assertArrayEquals(new int[] {1, 2, 1, 1}, new AdaptiveAvgPool2d(1).forward(X).shape());
        assertArrayEquals(new float[] {7.5f, 23.5f}, new AdaptiveAvgPool2d(1).forward(X).toFloatArray());
    }

    @Test
    void globalAvgPoolFlattens() {
        Tensor y = new GlobalAvgPool2d().forward(X);
        assertArrayEquals(new int[] {1, 2}, y.shape());
        assertArrayEquals(new float[] {7.5f, 23.5f}, y.toFloatArray());
    }

    @Test
    void gradientsFlowThroughLayers() {
        Tensor x = Tensor.of(new float[] {1, 5, 2, 3, 4, 0, 7, 6, 8}, 1, 1, 3, 3).requiresGrad(true);
        new MaxPool2d(2, 1, 0).forward(x).sum().backward();
        assertArrayEquals(new float[] {0, 2, 0, 0, 0, 0, 1, 0, 1}, x.grad().toFloatArray());
        Tensor x2 = Tensor.ones(1, 1, 3, 3).requiresGrad(true);
        new AdaptiveAvgPool2d(1).forward(x2).sum().backward();
        assertArrayEquals(new float[] {1 / 9f, 1 / 9f, 1 / 9f, 1 / 9f, 1 / 9f, 1 / 9f, 1 / 9f, 1 / 9f, 1 / 9f},
                x2.grad().toFloatArray(), 1e-7f);
    }

    @Test
    void printsLikePyTorch() {
        assertEquals("MaxPool2d(kernelSize=2, stride=2, padding=0)", new MaxPool2d(2).toString());
        assertEquals("MaxPool2d(kernelSize=3, stride=2, padding=1)", new MaxPool2d(3, 2, 1).toString());
        assertEquals("AvgPool2d(kernelSize=(2, 3), stride=(2, 3), padding=0, countIncludePad=false)",
                new AvgPool2d(new int[] {2, 3}, null, null, false).toString());
        assertEquals("AdaptiveAvgPool2d(outputSize=(1, 1))", new AdaptiveAvgPool2d(1).toString());
        assertEquals("GlobalAvgPool2d()", new GlobalAvgPool2d().toString());
    }

    @Test
    void errors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new MaxPool2d(2, 2, 2));
        assertTrue(e.getMessage().contains("MaxPool2d") && e.getMessage().contains("half the kernel"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new AvgPool2d(new int[] {2}, null, null, true));
        assertTrue(e.getMessage().contains("AvgPool2d") && e.getMessage().contains("kernel"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new AdaptiveAvgPool2d(0, 1));
        assertTrue(e.getMessage().contains("AdaptiveAvgPool2d"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new MaxPool2d(2).forward(Tensor.zeros(4, 4)));
        assertTrue(e.getMessage().contains("maxPool2d") && e.getMessage().contains("[4, 4]"), e.getMessage());
    }
}
