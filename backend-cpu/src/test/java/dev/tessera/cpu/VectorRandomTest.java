package dev.tessera.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tessera.spi.SplitMix;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link VectorRandom} gives bit for bit the floats of the scalar SplitMix loop, for every start, length and range. */
class VectorRandomTest {

    @Test
    void vectorDrawsEqualTheScalarOnes() {
        assumeTrue(Simd.ENABLED, "needs the Vector API");
        SplittableRandom rnd = new SplittableRandom(5);
        for (int trial = 0; trial < 300; trial++) {
            long state = rnd.nextLong();
            int start = rnd.nextInt(0, 50);
            int end = start + rnd.nextInt(0, 70);
            float low = trial % 3 == 0 ? 0f : (float) rnd.nextDouble(-3, 1);
            float high = low + (trial % 3 == 0 ? 1f : (float) rnd.nextDouble(0.1, 5));
            int o = rnd.nextInt(0, 9);
            float[] out = new float[o + end + 3];
            VectorRandom.uniform(out, o, start, end, state, low, high - low);
            for (int i = start; i < end; i++) {
                float expected = low + (high - low) * SplitMix.uniform(state, i);
                assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(out[o + i]),
                        "trial " + trial + " index " + i);
            }
            for (int i = 0; i < o + start; i++) {
                assertEquals(0f, out[i], "wrote before the range at " + i);
            }
            for (int i = o + end; i < out.length; i++) {
                assertEquals(0f, out[i], "wrote past the range at " + i);
            }
        }
    }
}
