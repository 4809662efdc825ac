package dev.tessera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tessera.kit.ComposedOnly;
import dev.tessera.spi.Backend;
import dev.tessera.spi.SplitMix;
import dev.tessera.spi.View;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link Fused#dropout}: every element against {@code x * (SplitMix.uniform(state, i) >= p ? keep :
 * 0)} computed here, bit for bit, for lengths below a vector, odd ones and ones split over the
 * pool; the gradient (the same mask on the output's gradient); strided inputs; the generator
 * advanced as {@link Fused#dropoutMask} advances it; the SPI's composed default, in place too,
 * against the backends' kernels; errors.
 */
class FusedDropoutTest {

    @ParameterizedTest(name = "n={0} p={1}")
    @CsvSource({"1, 0.5", "15, 0.5", "37, 0.1", "1000, 0.9", "70001, 0.25", "513, 0", "64, 1"})
    void dropsEachElementAsTheSplitMixDrawSays(int n, float p) {
        float keep = p >= 1f ? 0f : 1f / (1f - p);
        Tensor x = Checks.randn(3, n).requiresGrad(true);
        Tensor gradOut = Checks.randn(4, n);
        Generator g = new Generator(11);
        long state = new Generator(11).reserve(n);
        Tensor out = Fused.dropout(x, g, p, keep);
        out.backward(gradOut);
        float[] xs = x.toFloatArray();
        float[] gs = gradOut.toFloatArray();
        float[] got = out.toFloatArray();
        float[] grad = x.grad().toFloatArray();
        for (int i = 0; i < n; i++) {
            float m = SplitMix.uniform(state, i) >= p ? keep : 0f;
            assertEquals(Float.floatToRawIntBits(xs[i] * m), Float.floatToRawIntBits(got[i]), "output element " + i);
            assertEquals(Float.floatToRawIntBits(gs[i] * m), Float.floatToRawIntBits(grad[i]), "gradient element " + i);
        }
        Generator afterMask = new Generator(11);
        Fused.dropoutMask(x, afterMask, p, keep);
        assertEquals(afterMask.nextLong(), g.nextLong(), "advanced as dropoutMask advances it");
    }

    @Test
    void aStridedInputIsDroppedInItsLogicalOrder() {
        Tensor x = Checks.randn(5, 40, 30).transpose(0, 1);
        Tensor out = Fused.dropout(x, new Generator(2), 0.3f, 1f / 0.7f);
        Tensor expected = x.mul(Fused.dropoutMask(x, new Generator(2), 0.3f, 1f / 0.7f));
        float[] want = expected.toFloatArray();
        float[] got = out.toFloatArray();
        for (int i = 0; i < want.length; i++) {
            assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]), "element " + i);
        }
    }

    @Test
    void kernelsAgreeWithTheComposedDefaultInPlaceToo() {
        int n = 40_003;
        long state = new Generator(8).reserve(n);
        float[] x = Checks.randn(9, n).toFloatArray();
        Backend[] backends = FusedAttentionTest.backendsToCompare();
        float[][] results = new float[backends.length][];
        for (int impl = 0; impl < backends.length; impl++) {
            Backend b = backends[impl];
            View in = ComposedOnly.view(b, x, n);
            View out = ComposedOnly.zeros(b, DType.FLOAT32, n);
            b.dropout(in, state, 0.4f, 2.5f, out);
            View inPlace = ComposedOnly.view(b, x, n);
            b.dropout(inPlace, state, 0.4f, 2.5f, inPlace);
            results[impl] = FusedAttentionTest.concat(b.readFloats(out), b.readFloats(inPlace));
        }
        for (int impl = 1; impl < backends.length; impl++) {
            for (int i = 0; i < results[0].length; i++) {
                assertEquals(Float.floatToRawIntBits(results[0][i]), Float.floatToRawIntBits(results[impl][i]),
                        backends[impl] + ": element " + i);
            }
        }
    }

    @Test
    void badProbabilitiesAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Fused.dropout(Checks.randn(1, 4), new Generator(1), 1.5f, 1f));
        assertEquals("dropout: p must be in [0, 1], got 1.5", e.getMessage());
    }
}
