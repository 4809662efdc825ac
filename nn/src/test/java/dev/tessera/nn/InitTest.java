package dev.tessera.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.Generator;
import dev.tessera.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class InitTest {
    /** {mean, std, min, max} of t's elements. */
    private static double[] moments(Tensor t) {
        float[] v = t.toFloatArray();
        double sum = 0;
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        for (float f : v) {
            sum += f;
            min = Math.min(min, f);
            max = Math.max(max, f);
        }
        double mean = sum / v.length;
        double sq = 0;
        for (float f : v) {
            sq += (f - mean) * (f - mean);
        }
        return new double[] {mean, Math.sqrt(sq / v.length), min, max};
    }

    /** Asserts a uniform fill of U(-bound, bound): within bounds, near both, std bound / sqrt(3). */
    private static void assertUniform(Tensor t, double bound) {
        double[] m = moments(t);
        assertTrue(m[2] >= -bound && m[3] < bound, "range [" + m[2] + ", " + m[3] + "] vs +-" + bound);
        assertTrue(m[2] < -0.99 * bound && m[3] > 0.99 * bound, "range [" + m[2] + ", " + m[3] + "] vs +-" + bound);
        assertEquals(0, m[0], 0.01 * bound);
        assertEquals(bound / Math.sqrt(3), m[1], 0.01 * bound);
    }

    private static void assertNormal(Tensor t, double mean, double std) {
        double[] m = moments(t);
        assertEquals(mean, m[0], 0.01 * std + 1e-6);
        assertEquals(std, m[1], 0.01 * std);
    }

    @Test
    void gains() {
        assertEquals(1, Init.calculateGain(Nonlinearity.LINEAR), 0);
        assertEquals(1, Init.calculateGain(Nonlinearity.CONV2D), 0);
        assertEquals(1, Init.calculateGain(Nonlinearity.SIGMOID), 0);
        assertEquals(5.0 / 3, Init.calculateGain(Nonlinearity.TANH), 1e-12);
        assertEquals(Math.sqrt(2), Init.calculateGain(Nonlinearity.RELU), 1e-12);
        assertEquals(Math.sqrt(2 / (1 + 1e-4)), Init.calculateGain(Nonlinearity.LEAKY_RELU), 1e-12);
        assertEquals(Math.sqrt(2 / 1.04), Init.calculateGain(Nonlinearity.LEAKY_RELU, 0.2), 1e-12);
        assertEquals(0.75, Init.calculateGain(Nonlinearity.SELU), 0);
    }

    @Test
    void fans() {
        assertArrayEquals(new int[] {3, 5}, Init.calculateFanInAndFanOut(Tensor.zeros(5, 3)));
        assertArrayEquals(new int[] {3 * 9, 8 * 9}, Init.calculateFanInAndFanOut(Tensor.zeros(8, 3, 3, 3)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Init.xavierUniform(Tensor.zeros(5)));
        assertTrue(e.getMessage().contains("[5]"), e.getMessage());
    }

    @Test
    void uniformNormalAndConstants() {
        assertUniform(Init.uniform(Tensor.zeros(200, 500), -0.3, 0.3, new Generator(1)), 0.3);
        Tensor u = Init.uniform(Tensor.zeros(1000), 2, 3, new Generator(2));
        assertTrue(moments(u)[2] >= 2 && moments(u)[3] < 3);
        assertNormal(Init.normal(Tensor.zeros(200, 500), 1.5, 0.2, new Generator(3)), 1.5, 0.2);
        Tensor c = Tensor.zeros(2, 3);
        assertSame(c, Init.constant(c, 0.7));
        assertArrayEquals(new float[] {0.7f, 0.7f, 0.7f, 0.7f, 0.7f, 0.7f}, c.toFloatArray());
        assertArrayEquals(new float[6], Init.zeros(c).toFloatArray());
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1}, Init.ones(c).toFloatArray());
        assertThrows(IllegalArgumentException.class, () -> Init.uniform(Tensor.zeros(2), 1, 0));
        assertThrows(IllegalArgumentException.class, () -> Init.normal(Tensor.zeros(2), 0, -1));
        assertThrows(IllegalArgumentException.class, () -> Init.zeros(Tensor.ofInts(new int[] {1})));
    }

    @Test
    void xavier() {
        Tensor w = Tensor.zeros(300, 500);
        assertSame(w, Init.xavierUniform(w, 1.0, new Generator(4)));
        assertUniform(w, Math.sqrt(6.0 / 800));
        assertUniform(Init.xavierUniform(Tensor.zeros(300, 500), 2.0, new Generator(5)), 2 * Math.sqrt(6.0 / 800));
        assertNormal(Init.xavierNormal(Tensor.zeros(300, 500), 1.0, new Generator(6)), 0, Math.sqrt(2.0 / 800));
        assertNormal(Init.xavierNormal(Tensor.zeros(300, 500), 5.0 / 3, new Generator(7)), 0, 5.0 / 3 * Math.sqrt(2.0 / 800));
    }

    @Test
    void kaiming() {
        // Defaults: a = 0, fan in, leaky ReLU: gain sqrt(2), bound sqrt(6 / fanIn).
        Tensor w = Tensor.zeros(400, 250);
        assertSame(w, Init.kaimingUniform(w));
        assertUniform(w, Math.sqrt(6.0 / 250));
        assertUniform(Init.kaimingUniform(Tensor.zeros(400, 250), Math.sqrt(5), FanMode.FAN_IN, Nonlinearity.LEAKY_RELU,
                new Generator(8)), 1 / Math.sqrt(250));
        assertUniform(Init.kaimingUniform(Tensor.zeros(400, 250), 0, FanMode.FAN_OUT, Nonlinearity.RELU, new Generator(9)),
                Math.sqrt(6.0 / 400));
        assertNormal(Init.kaimingNormal(Tensor.zeros(400, 250)), 0, Math.sqrt(2.0 / 250));
        assertNormal(Init.kaimingNormal(Tensor.zeros(64, 32, 3, 3), 0, FanMode.FAN_OUT, Nonlinearity.RELU,
                new Generator(10)), 0, Math.sqrt(2.0 / (64 * 9)));
        assertNormal(Init.kaimingNormal(Tensor.zeros(400, 250), 0, FanMode.FAN_IN, Nonlinearity.TANH, new Generator(11)), 0,
                5.0 / 3 / Math.sqrt(250));
    }

    @Test
    void fillsParametersThatRequireGradAndKeepsThemLeaves() {
        Linear lin = new Linear(10, 20);
        Tensor w = lin.weight();
        Init.xavierUniform(w);
        assertTrue(w.requiresGrad());
        assertTrue(w.isLeaf());
        assertSame(w, lin.weight());
        Init.zeros(lin.bias());
        assertArrayEquals(new float[20], lin.bias().toFloatArray());
    }

    @Test
    void reproducibleWithTheSameSeed() {
        float[] a = Init.kaimingNormal(Tensor.zeros(20, 30), 0, FanMode.FAN_IN, Nonlinearity.RELU, new Generator(12)).toFloatArray();
        float[] b = Init.kaimingNormal(Tensor.zeros(20, 30), 0, FanMode.FAN_IN, Nonlinearity.RELU, new Generator(12)).toFloatArray();
        assertArrayEquals(a, b);
        Random.manualSeed(42);
        assertEquals(42, Random.initialSeed());
        float[] c = Init.xavierUniform(Tensor.zeros(20, 30)).toFloatArray();
        Sequential m1 = new Sequential(new Linear(4, 8), new Embedding(5, 3), new Dropout(0.2));
        Random.manualSeed(42);
        assertArrayEquals(c, Init.xavierUniform(Tensor.zeros(20, 30)).toFloatArray());
        Sequential m2 = new Sequential(new Linear(4, 8), new Embedding(5, 3), new Dropout(0.2));
        for (String k : m1.stateDict().keySet()) {
            assertArrayEquals(m1.stateDict().get(k).toFloatArray(), m2.stateDict().get(k).toFloatArray(), k);
        }
        Tensor x = Tensor.ones(10, 10);
        assertArrayEquals(((Dropout) m1.get(2)).forward(x).toFloatArray(), ((Dropout) m2.get(2)).forward(x).toFloatArray());
        Random.manualSeed(43);
        assertFalse(Arrays.equals(c, Init.xavierUniform(Tensor.zeros(20, 30)).toFloatArray()));
    }

    @Test
    void truncatedNormal() {
        Tensor t = Init.truncNormal(Tensor.zeros(200, 500), 0.0, 1.0, -2, 2, new Generator(3));
        float[] v = t.toFloatArray();
        double sum = 0;
        double sq = 0;
        for (float f : v) {
            assertTrue(f >= -2 && f <= 2, "value " + f + " outside [-2, 2]");
            sum += f;
            sq += f * f;
        }
        double mean = sum / v.length;
        // The standard normal truncated to [-2, 2] has variance 1 - 4 phi(2) / (2 Phi(2) - 1) = 0.7737.
        assertEquals(0, mean, 0.01);
        assertEquals(0.7737, sq / v.length - mean * mean, 0.01);
        // Inception's case: std 0.1 inside [-2, 2] is an ordinary normal.
        float[] w = Init.truncNormal(Tensor.zeros(100, 1000), 0.0, 0.1, -2, 2, new Generator(4)).toFloatArray();
        double s2 = 0;
        for (float f : w) {
            s2 += f * f;
        }
        assertEquals(0.01, s2 / w.length, 0.0005);
        assertThrows(IllegalArgumentException.class, () -> Init.truncNormal(Tensor.zeros(2), 0, 1, 3, 2));
    }
}
