package dev.tessera.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.GradCheck;
import dev.tessera.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link SqueezeExcitation} against a double-precision loop of torchvision's definition, its
 * torchvision state-dict names, parameter gradients by finite differences, and the input check;
 * {@link Conv2dNormActivation}'s layout.
 */
class SqueezeExcitationTest {

    /** x * sigmoid(fc2(silu(fc1(mean_hw(x))))) per sample and channel, in doubles. */
    private static double[] reference(float[] x, int n, int c, int hw, float[] w1, float[] b1, float[] w2, float[] b2, int s) {
        double[] y = new double[x.length];
        for (int i = 0; i < n; i++) {
            double[] mean = new double[c];
            for (int ch = 0; ch < c; ch++) {
                for (int k = 0; k < hw; k++) {
                    mean[ch] += x[(i * c + ch) * hw + k];
                }
                mean[ch] /= hw;
            }
            double[] hidden = new double[s];
            for (int j = 0; j < s; j++) {
                double z = b1[j];
                for (int ch = 0; ch < c; ch++) {
                    z += w1[j * c + ch] * mean[ch];
                }
                hidden[j] = z / (1 + Math.exp(-z));
            }
            for (int ch = 0; ch < c; ch++) {
                double z = b2[ch];
                for (int j = 0; j < s; j++) {
                    z += w2[ch * s + j] * hidden[j];
                }
                double scale = 1 / (1 + Math.exp(-z));
                for (int k = 0; k < hw; k++) {
                    int p = (i * c + ch) * hw + k;
                    y[p] = x[p] * scale;
                }
            }
        }
        return y;
    }

    @Test
    void matchesTheDefinition() {
        Random.manualSeed(3);
        SqueezeExcitation se = new SqueezeExcitation(6, 2, SiLU::new, Sigmoid::new);
        assertEquals(List.of("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"), List.copyOf(se.stateDict().keySet()));
        assertArrayEquals(new int[] {2, 6, 1, 1}, se.stateDict().get("fc1.weight").shape());
        assertArrayEquals(new int[] {6, 2, 1, 1}, se.stateDict().get("fc2.weight").shape());
        Tensor x = NnTestUtil.uniform(4, -2, 2, 3, 6, 4, 5);
        double[] expected = reference(x.toFloatArray(), 3, 6, 20, se.stateDict().get("fc1.weight").toFloatArray(),
                se.stateDict().get("fc1.bias").toFloatArray(), se.stateDict().get("fc2.weight").toFloatArray(),
                se.stateDict().get("fc2.bias").toFloatArray(), 2);
        NnTestUtil.assertClose(expected, se.forward(x), 1e-5, 3, 6, 4, 5);
        assertTrue(se.get("activation") instanceof SiLU);
        assertTrue(new SqueezeExcitation(4, 1).get("activation") instanceof ReLU, "torchvision's default is ReLU");
    }

    @Test
    void gradients() {
        Random.manualSeed(5);
        SqueezeExcitation se = new SqueezeExcitation(4, 2, SiLU::new, Sigmoid::new);
        Tensor x = NnTestUtil.uniform(6, -1, 1, 2, 4, 3, 3);
        NnTestUtil.assertParameterGradients(se, x);
        GradCheck.assertGradients(t -> se.forward(t[0]), x);
    }

    @Test
    void inputChecked() {
        SqueezeExcitation se = new SqueezeExcitation(4, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> se.forward(Tensor.zeros(1, 3, 2, 2)));
        assertTrue(e.getMessage().contains("SqueezeExcitation(4)") && e.getMessage().contains("[1, 3, 2, 2]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SqueezeExcitation(0, 2));
    }

    @Test
    void convNormActivationLayout() {
        Conv2dNormActivation block = new Conv2dNormActivation(8, 8, 5, 2, 8, c -> new BatchNorm2d(c, 1e-3, 0.01), SiLU::new);
        assertEquals(List.of("0.weight", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked"),
                List.copyOf(block.stateDict().keySet()));
        assertArrayEquals(new int[] {8, 1, 5, 5}, block.conv().weight().shape());
        assertArrayEquals(new int[] {2, 2}, block.conv().padding(), "same padding (k - 1) / 2");
        assertEquals(8, block.conv().groups());
        assertEquals(1e-3, ((BatchNorm2d) block.get(1)).eps());
        assertTrue(block.get(2) instanceof SiLU);
        assertArrayEquals(new int[] {1, 8, 4, 4}, block.forward(Tensor.ones(1, 8, 7, 7)).shape());
        Conv2dNormActivation plain = new Conv2dNormActivation(3, 4, 3, 1, 1, null, null);
        assertEquals(List.of("0.weight", "0.bias"), List.copyOf(plain.stateDict().keySet()), "a bias without a norm");
    }

    @Test
    void depthwiseStridedConvolutionGradients() {
        // EfficientNet's depthwise 5x5 stride 2 with a channel multiplier of 2, against finite differences.
        Conv2d conv = new Conv2d(3, 6, 5, 2, 2, 1, 3, true);
        NnTestUtil.assertParameterGradients(conv, NnTestUtil.uniform(8, -1, 1, 2, 3, 7, 6));
        GradCheck.assertGradients(t -> conv.forward(t[0]), NnTestUtil.uniform(9, -1, 1, 1, 3, 6, 5));
    }
}
