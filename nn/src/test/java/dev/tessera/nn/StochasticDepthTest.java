package dev.tessera.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.GradCheck;
import dev.tessera.Generator;
import dev.tessera.Tensor;
import org.junit.jupiter.api.Test;

/**
 * {@link StochasticDepth}: identity in eval mode, torchvision's row mode (each sample kept whole
 * and scaled by 1 / (1 - p), or zeroed) and batch mode, the keep rate, p = 0 and 1, gradients.
 */
class StochasticDepthTest {

    @Test
    void evalModeAndZeroProbabilityReturnTheInput() {
        Tensor x = NnTestUtil.uniform(1, -1, 1, 4, 3, 2, 2);
        StochasticDepth sd = new StochasticDepth(0.5);
        sd.eval();
        assertSame(x, sd.forward(x));
        assertSame(x, new StochasticDepth(0.0).forward(x));
        assertEquals("StochasticDepth(p=0.5, mode=row)", new StochasticDepth(0.5).toString());
    }

    @Test
    void rowModeKeepsOrDropsWholeSamples() {
        int n = 4000;
        double p = 0.3;
        Tensor x = NnTestUtil.uniform(2, 0.5f, 1.5f, n, 2, 3);
        float[] in = x.toFloatArray();
        float[] out = new StochasticDepth(p, StochasticDepth.Mode.ROW, new Generator(11)).forward(x).toFloatArray();
        int kept = 0;
        for (int i = 0; i < n; i++) {
            boolean first = out[i * 6] != 0;
            kept += first ? 1 : 0;
            for (int k = 0; k < 6; k++) {
                double expected = first ? in[i * 6 + k] / (1 - p) : 0;
                assertEquals(expected, out[i * 6 + k], 1e-6, "sample " + i + " element " + k);
            }
        }
        // Binomial(4000, 0.7): mean 2800, sd 29; 5 sd either way.
        assertTrue(Math.abs(kept - 2800) < 145, "kept " + kept + " of 4000 samples with p = 0.3");
    }

    @Test
    void batchModeDropsTheWholeBatchTogether() {
        Tensor x = Tensor.ones(8, 3);
        int kept = 0;
        StochasticDepth sd = new StochasticDepth(0.5, StochasticDepth.Mode.BATCH, new Generator(5));
        for (int trial = 0; trial < 200; trial++) {
            float[] y = sd.forward(x).toFloatArray();
            for (float v : y) {
                assertEquals(y[0], v, "all or nothing");
            }
            assertTrue(y[0] == 0f || y[0] == 2f, "kept values are scaled by 1 / (1 - p): " + y[0]);
            kept += y[0] != 0 ? 1 : 0;
        }
        assertTrue(kept > 60 && kept < 140, "kept " + kept + " of 200 batches with p = 0.5");
    }

    @Test
    void probabilityOneZeroesAndBadArgumentsAreRefused() {
        assertEquals(0f, new StochasticDepth(1.0).forward(Tensor.ones(3, 2)).abs().sum().item());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new StochasticDepth(1.5));
        assertTrue(e.getMessage().contains("1.5"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> F.stochasticDepth(Tensor.ones(2), -0.1f,
                StochasticDepth.Mode.ROW, true, new Generator(1)));
    }

    @Test
    void gradientIsTheSameMask() {
        // A fresh generator per call draws the same mask, so finite differences see a fixed function.
        Tensor x = NnTestUtil.uniform(3, -1, 1, 6, 2, 2);
        GradCheck.assertGradients(t -> F.stochasticDepth(t[0], 0.4f, StochasticDepth.Mode.ROW, true, new Generator(9)), x);
    }
}
