package dev.tessera;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tessera.kit.ComposedOnly;
import dev.tessera.spi.SplitMix;
import dev.tessera.spi.View;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link Fused#dropoutMask}: the same draws as {@code randLike(g).ge(p).mul(keep)}, on the CPU
 * kernel (vector and scalar lengths) and the composed SPI default, and the generator advances alike.
 */
class DropoutMaskTest {

    @ParameterizedTest(name = "n={0} p={1} keep={2}")
    @CsvSource({"1, 0.5, 1", "7, 0.1, 1.25", "64, 0.3, 1", "1000, 0.5, 2", "70001, 0.25, 1.3333334", "65543, 0.9, 10", "50, 0, 1", "50, 1, 3"})
    void equalsComparingUniformDraws(int n, float p, float keep) {
        Tensor like = Tensor.zeros(n);
        Generator g1 = new Generator(17);
        Generator g2 = new Generator(17);
        Tensor mask = Fused.dropoutMask(like, g1, p, keep);
        float[] expected = like.randLike(g2).ge(p).mul(keep).toFloatArray();
        assertArrayEquals(expected, mask.toFloatArray(), 0f);
        assertEquals(g2.nextLong(), g1.nextLong(), "the generator advances by the same count");
        // Both kernels above may run on vectors: the scalar SplitMix stream is the independent oracle.
        long state = new Generator(17).reserve(n);
        float[] oracle = new float[n];
        for (int i = 0; i < n; i++) {
            oracle[i] = SplitMix.uniform(state, i) >= p ? keep : 0f;
        }
        assertArrayEquals(oracle, mask.toFloatArray(), 0f);

        dev.tessera.spi.Backend composed = ComposedOnly.onTestDevice();
        View out = ComposedOnly.zeros(composed, DType.FLOAT32, n);
        composed.fillDropoutMask(out, new Generator(17).reserve(n), p, keep);
        assertArrayEquals(expected, composed.readFloats(out), 0f);
    }

    @ParameterizedTest(name = "p={0}")
    @CsvSource({"-0.1", "1.5", "NaN"})
    void probabilitiesOutsideTheUnitIntervalAreRejected(float p) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Fused.dropoutMask(Tensor.zeros(3), new Generator(1), p, 1f));
        assertEquals("dropoutMask: p must be in [0, 1], got " + p, e.getMessage());
    }
}
