package dev.tessera.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tessera.Generator;
import dev.tessera.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DropoutTest {
    @Test
    void evalIsIdentity() {
        Dropout d = new Dropout(0.5);
        d.eval();
        Tensor x = NnTestUtil.uniform(1, -1, 1, 3, 4);
        assertSame(x, d.forward(x));
    }

    @Test
    void trainDropsAboutPAndScalesTheRest() {
        double p = 0.3;
        Dropout d = new Dropout(p, new Generator(2));
        Tensor x = NnTestUtil.uniform(3, 1, 2, 100, 200);
        float[] in = x.toFloatArray();
        float[] out = d.forward(x).toFloatArray();
        int zeros = 0;
        for (int i = 0; i < in.length; i++) {
            if (out[i] == 0f) {
                zeros++;
            } else {
                assertEquals(in[i] / (1 - p), out[i], 1e-5, "kept element " + i);
            }
        }
        // Binomial(20000, 0.3): std ~65, so 0.3 +- 0.015 is ~4.6 sigma.
        assertEquals(p, zeros / (double) in.length, 0.015);
    }

    @Test
    void sameSeedSameMaskAndMasksChangeBetweenCalls() {
        Tensor x = Tensor.ones(50, 40);
        Dropout a = new Dropout(0.5, new Generator(7));
        Dropout b = new Dropout(0.5, new Generator(7));
        float[] a1 = a.forward(x).toFloatArray();
        assertArrayEquals(a1, b.forward(x).toFloatArray());
        float[] a2 = a.forward(x).toFloatArray();
        assertFalse(Arrays.equals(a1, a2));
        assertArrayEquals(a2, b.forward(x).toFloatArray());
        Random.manualSeed(5);
        float[] c = new Dropout(0.5).forward(x).toFloatArray();
        Random.manualSeed(5);
        assertArrayEquals(c, new Dropout(0.5).forward(x).toFloatArray());
    }

    @Test
    void gradientIsTheScaledMask() {
        Dropout d = new Dropout(0.25, new Generator(9));
        Tensor x = NnTestUtil.uniform(4, 1, 2, 6, 5).requiresGrad(true);
        float[] y = d.forward(x).toFloatArray();
        // Same generator state again gives the same mask: replay with a fresh layer.
        Dropout replay = new Dropout(0.25, new Generator(9));
        Tensor x2 = x.detach().requiresGrad(true);
        replay.forward(x2).sum().backward();
        float[] g = x2.grad().toFloatArray();
        for (int i = 0; i < y.length; i++) {
            assertEquals(y[i] == 0f ? 0f : 1f / 0.75f, g[i], 1e-6f);
        }
    }

    @Test
    void edgeProbabilities() {
        Tensor x = NnTestUtil.uniform(5, 1, 2, 4, 4);
        assertSame(x, new Dropout(0).forward(x));
        assertArrayEquals(new float[16], new Dropout(1).forward(x).toFloatArray());
        assertThrows(IllegalArgumentException.class, () -> new Dropout(1.5));
        assertThrows(IllegalArgumentException.class, () -> new Dropout(-0.1));
        assertEquals("Dropout(p=0.25)", new Dropout(0.25).toString());
    }
}
