package dev.tessera.opencl;

import static dev.tessera.opencl.SpiPair.contiguous;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tessera.DType;
import dev.tessera.spi.AdamSpec;
import dev.tessera.spi.SplitMix;
import dev.tessera.spi.View;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** fillUniform and fillDropoutMask (bit for bit), adamUpdate and axpy on OpenCL against the CPU backend. */
class FusedRandomOptimTest {
    private static final long[] STATES = {0L, 42L, -1L, Long.MIN_VALUE + 12345, 0x0123456789ABCDEFL, 0xFEDCBA9876543210L};

    private static void assertSameBits(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": lengths");
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                throw new AssertionError(what + ": element " + i + " is " + actual[i] + " on OpenCL, " + expected[i]
                        + " on the CPU (not bit-identical)");
            }
        }
    }

    @Test
    void fillUniformGivesTheCpusBitsForEverySeed() {
        SpiPair p = new SpiPair();
        for (long state : STATES) {
            // contiguous, long enough for many work-groups
            SpiPair.Views c = p.zeros(DType.FLOAT32, 5003, new int[] {5003}, new int[] {1}, 0);
            // strided: every other element of a transposed window, from an offset
            SpiPair.Views s = p.zeros(DType.FLOAT32, 200, new int[] {7, 5}, new int[] {2, 14}, 3);
            for (int side = 0; side < 2; side++) {
                (side == 0 ? p.cpu : p.ocl).fillUniform(c.on(side), state, -2f, 3f);
                (side == 0 ? p.cpu : p.ocl).fillUniform(s.on(side), state, 0.25f, 0.75f);
            }
            float[][] rc = p.storageFloats(c);
            assertSameBits(rc[0], rc[1], "fillUniform contiguous, state " + state);
            float[][] rs = p.storageFloats(s);
            assertSameBits(rs[0], rs[1], "fillUniform strided, state " + state);
            // and the stream itself: element i is low + (high - low) * SplitMix.uniform(state, i)
            for (int i : new int[] {0, 1, 63, 64, 5002}) {
                assertEquals(Float.floatToRawIntBits(-2f + 5f * SplitMix.uniform(state, i)), Float.floatToRawIntBits(rc[1][i]),
                        "element " + i + ", state " + state);
            }
        }
    }

    @Test
    void fillDropoutMaskGivesTheCpusBitsForEverySeed() {
        SpiPair p = new SpiPair();
        float keep = 1f / 0.7f;
        for (long state : STATES) {
            SpiPair.Views c = p.zeros(DType.FLOAT32, 4099, new int[] {4099}, new int[] {1}, 0);
            SpiPair.Views s = p.zeros(DType.FLOAT32, 100, new int[] {3, 6}, new int[] {1, 9}, 2);
            for (int side = 0; side < 2; side++) {
                (side == 0 ? p.cpu : p.ocl).fillDropoutMask(c.on(side), state, 0.3f, keep);
                (side == 0 ? p.cpu : p.ocl).fillDropoutMask(s.on(side), state, 0.5f, 2f);
            }
            float[][] rc = p.storageFloats(c);
            assertSameBits(rc[0], rc[1], "dropout contiguous, state " + state);
            float[][] rs = p.storageFloats(s);
            assertSameBits(rs[0], rs[1], "dropout strided, state " + state);
        }
    }

    @Test
    void randomFillsOfEmptyViewsDoNothing() {
        SpiPair p = new SpiPair();
        View e = new View(p.ocl.allocate(DType.FLOAT32, 0), new int[] {0, 4}, new int[] {4, 1}, 0);
        p.ocl.fillUniform(e, 7L, 0f, 1f);
        p.ocl.fillDropoutMask(e, 7L, 0.5f, 2f);
        p.ocl.synchronize();
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void adamUpdateMatchesTheCpu(boolean decoupled) {
        SpiPair p = new SpiPair();
        int n = 7 * 13;
        float lr = 0.01f;
        float b1 = 0.9f;
        float b2 = 0.999f;
        int step = 3;
        AdamSpec spec = new AdamSpec(lr, b1, b2, 1e-8f, 0.05f, decoupled, (float) (1 - Math.pow(b1, step)),
                (float) Math.sqrt(1 - Math.pow(b2, step)));
        float[] v0 = SpiPair.random(4, n, 0.01f);
        for (int i = 0; i < n; i++) {
            v0[i] = Math.abs(v0[i]);
        }
        for (boolean strided : new boolean[] {false, true}) {
            // strided: the parameter and its first moment are transposed views; the CPU composes these
            int[] shape = {7, 13};
            int[] st = strided ? new int[] {1, 7} : contiguous(7, 13);
            SpiPair.Views param = p.floats(SpiPair.random(1, n, 1f), shape, st, 0);
            SpiPair.Views grad = p.floats(SpiPair.random(2, n, 0.5f), shape, contiguous(7, 13), 0);
            SpiPair.Views m = p.floats(SpiPair.random(3, n, 0.1f), shape, st, 0);
            SpiPair.Views v = p.floats(v0, shape, contiguous(7, 13), 0);
            for (int side = 0; side < 2; side++) {
                for (int k = 0; k < 3; k++) {
                    (side == 0 ? p.cpu : p.ocl).adamUpdate(param.on(side), grad.on(side), m.on(side), v.on(side), spec);
                }
            }
            String what = (decoupled ? "AdamW" : "Adam") + (strided ? " strided" : " contiguous");
            p.assertSameFloats(param, what + " param");
            p.assertSameFloats(m, what + " expAvg");
            p.assertSameFloats(v, what + " expAvgSq");
        }
    }

    @Test
    void adamUpdateChangesTheParameterByTheBiasCorrectedStep() {
        // one element, first step: m = (1-b1) g, v = (1-b2) g^2, p -= lr * (m / bias1) / (sqrt(v) / sqrt(bias2) + eps) = lr * sign(g)
        SpiPair p = new SpiPair();
        SpiPair.Views param = p.floats(new float[] {1f}, new int[] {1}, new int[] {1}, 0);
        SpiPair.Views grad = p.floats(new float[] {-4f}, new int[] {1}, new int[] {1}, 0);
        SpiPair.Views m = p.zeros(DType.FLOAT32, 1, new int[] {1}, new int[] {1}, 0);
        SpiPair.Views v = p.zeros(DType.FLOAT32, 1, new int[] {1}, new int[] {1}, 0);
        p.ocl.adamUpdate(param.ocl(), grad.ocl(), m.ocl(), v.ocl(),
                new AdamSpec(0.1f, 0.9f, 0.999f, 0f, 0f, false, 0.1f, (float) Math.sqrt(0.001)));
        assertEquals(1.1f, p.storageFloats(param)[1][0], 1e-5f);
    }

    @Test
    void axpyAddsAScaledBroadcastOperand() {
        SpiPair p = new SpiPair();
        SpiPair.Views x = p.floats(SpiPair.random(5, 11, 2f), new int[] {7, 11}, new int[] {0, 1}, 0);
        SpiPair.Views y = p.floats(SpiPair.random(6, 200, 1f), new int[] {7, 11}, new int[] {1, 14}, 4);
        SpiPair.Views yc = p.floats(SpiPair.random(7, 77, 1f), new int[] {7, 11}, contiguous(7, 11), 0);
        SpiPair.Views xc = p.floats(SpiPair.random(8, 77, 1f), new int[] {7, 11}, contiguous(7, 11), 0);
        for (int side = 0; side < 2; side++) {
            (side == 0 ? p.cpu : p.ocl).axpy(x.on(side), -0.75f, y.on(side));
            (side == 0 ? p.cpu : p.ocl).axpy(xc.on(side), 2.5f, yc.on(side));
        }
        p.assertSameFloats(y, "axpy broadcast into strided");
        p.assertSameFloats(yc, "axpy contiguous");
    }
}
