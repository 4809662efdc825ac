package dev.tessera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.kit.ComposedOnly;
import dev.tessera.spi.AttentionDropout;
import dev.tessera.spi.Backend;
import dev.tessera.spi.View;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import static dev.tessera.FusedAttentionTest.assertClose;
import static dev.tessera.FusedAttentionTest.concat;
import static dev.tessera.FusedAttentionTest.heads;
import static dev.tessera.FusedAttentionTest.input;
import static dev.tessera.FusedAttentionTest.leaves;

/**
 * {@link FusedAttention} with dropout: values and gradients against the composed ops with the
 * mask of {@link Fused#dropoutMask} from a generator in the same state (so the same probabilities
 * are dropped), the generator advanced as far, heads of a projection, the gradient checker, the
 * SPI's composed default against the backend's kernel on problems split over the first
 * dimension, and errors.
 */
class FusedAttentionDropoutTest {

    /** batch dims, L, S, E, Ev, whether the inputs are strided views, p. */
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(new int[] {3}, 5, 7, 4, 6, false, 0.1f),
                Arguments.of(new int[] {2, 3}, 1, 3, 8, 2, false, 0.5f),
                Arguments.of(new int[] {4}, 40, 37, 16, 8, false, 0.25f),
                Arguments.of(new int[] {2, 2}, 33, 64, 32, 32, true, 0.1f),
                Arguments.of(new int[] {5}, 17, 48, 12, 20, true, 0.9f),
                Arguments.of(new int[] {2}, 6, 9, 4, 3, false, 1f),
                Arguments.of(new int[] {}, 7, 11, 5, 4, false, 0.3f));
    }

    @ParameterizedTest(name = "batch={0} L={1} S={2} E={3} Ev={4} strided={5} p={6}")
    @MethodSource("cases")
    void dropsWhatTheComposedOpsDrop(int[] batch, int l, int s, int e, int ev, boolean strided, float p) {
        Tensor q = input(11, strided, batch, l, e);
        Tensor k = input(12, strided, batch, s, e);
        Tensor v = input(13, strided, batch, s, ev);
        Tensor gradOut = Checks.randn(14, concat(batch, l, ev));
        float scale = (float) (1.0 / Math.sqrt(e));

        Generator fusedGen = new Generator(99);
        Tensor[] fused = leaves(q, k, v);
        Tensor out = FusedAttention.compute(fused[0], fused[1], fused[2], scale, p, fusedGen);
        out.backward(gradOut);

        Generator refGen = new Generator(99);
        Tensor[] ref = leaves(q, k, v);
        Tensor expected = composed(ref[0], ref[1], ref[2], scale, p, refGen);
        expected.backward(gradOut);

        assertClose("output", expected, out);
        assertClose("grad q", ref[0].grad(), fused[0].grad());
        assertClose("grad k", ref[1].grad(), fused[1].grad());
        assertClose("grad v", ref[2].grad(), fused[2].grad());
        assertEquals(refGen.nextLong(), fusedGen.nextLong(), "the generator is advanced by batch * L * S numbers");
    }

    @Test
    void dropoutChangesTheOutputAndAnotherDrawChangesItAgain() {
        Tensor q = Checks.randn(21, 2, 8, 4);
        Tensor k = Checks.randn(22, 2, 8, 4);
        Tensor v = Checks.randn(23, 2, 8, 4);
        Generator g = new Generator(5);
        float[] none = FusedAttention.compute(q, k, v, 0.5f).toFloatArray();
        float[] first = FusedAttention.compute(q, k, v, 0.5f, 0.5f, g).toFloatArray();
        float[] second = FusedAttention.compute(q, k, v, 0.5f, 0.5f, g).toFloatArray();
        float[] again = FusedAttention.compute(q, k, v, 0.5f, 0.5f, new Generator(5)).toFloatArray();
        assertTrue(differ(none, first), "dropout 0.5 changes the output");
        assertTrue(differ(first, second), "the next draw drops other probabilities");
        for (int i = 0; i < first.length; i++) {
            assertEquals(first[i], again[i], 0f, "a generator in the same state drops the same: element " + i);
        }
    }

    @ParameterizedTest(name = "L={0} N={1} heads={2} D={3} batchFirst={4}")
    @CsvSource({"9, 3, 2, 4, false", "17, 1, 4, 8, false", "9, 3, 2, 4, true", "5, 2, 3, 4, true"})
    void headsOfAProjectionDropInTheOrderOfTheirProbabilities(int l, int n, int h, int d, boolean batchFirst) {
        int e = h * d;
        Tensor projection = batchFirst ? Checks.randn(61, n, l, 3 * e) : Checks.randn(61, l, n, 3 * e);
        Tensor gradOut = Checks.randn(62, n, h, l, d);
        float scale = (float) (1.0 / Math.sqrt(d));

        Tensor fused = projection.detach().requiresGrad(true);
        Tensor[] heads = heads(fused, l, n, h, d, batchFirst);
        Tensor out = FusedAttention.compute(heads[0], heads[1], heads[2], scale, 0.2f, new Generator(7));
        out.backward(gradOut);

        Tensor ref = projection.detach().requiresGrad(true);
        Tensor[] refHeads = heads(ref, l, n, h, d, batchFirst);
        Tensor expected = composed(refHeads[0], refHeads[1], refHeads[2], scale, 0.2f, new Generator(7));
        expected.backward(gradOut);

        assertClose("output", expected, out);
        assertClose("grad of the projection", ref.grad(), fused.grad());
    }

    @Test
    void gradientsPassTheChecker() {
        // A generator in the same state at every evaluation: the same mask, so a differentiable function.
        GradCheck.assertGradients(in -> FusedAttention.compute(in[0], in[1], in[2], 0.7f, 0.3f, new Generator(3)),
                Checks.randn(31, 2, 3, 4), Checks.randn(32, 2, 5, 4), Checks.randn(33, 2, 5, 3));
    }

    @Test
    void kernelsAgreeWithTheComposedDefaultOnProblemsSplitOverTheFirstDimension() {
        int n = 3;
        int h = 2;
        int l = 6;
        int s = 9;
        int e = 4;
        int ev = 5;
        float scale = 0.4f;
        AttentionDropout dropout = AttentionDropout.inverted(new Generator(17).reserve((long) n * h * l * s), 0.3f);
        float[] q = Checks.randn(41, h, n, l, e).toFloatArray();
        float[] k = Checks.randn(42, n, h, s, e).toFloatArray();
        float[] v = Checks.randn(43, n, h, s, ev).toFloatArray();
        float[] go = Checks.randn(44, n, h, l, ev).toFloatArray();
        Backend[] backends = FusedAttentionTest.backendsToCompare();
        float[][] results = new float[backends.length][];
        for (int impl = 0; impl < backends.length; impl++) {
            Backend backend = backends[impl];
            // q is [N, H, L, E] over [H, N, L, E] memory: its two leading dimensions do not merge.
            View qv = ComposedOnly.view(backend, q, h, n, l, e);
            qv = new View(qv.storage(), new int[] {n, h, l, e}, new int[] {l * e, n * l * e, e, 1}, 0);
            View kv = ComposedOnly.view(backend, k, n, h, s, e);
            View vv = ComposedOnly.view(backend, v, n, h, s, ev);
            View probs = ComposedOnly.zeros(backend, DType.FLOAT32, n, h, l, s);
            View out = ComposedOnly.zeros(backend, DType.FLOAT32, n, h, l, ev);
            backend.attention(qv, kv, vv, scale, null, dropout, probs, out);
            View gq = ComposedOnly.zeros(backend, DType.FLOAT32, n, h, l, e);
            View gk = ComposedOnly.zeros(backend, DType.FLOAT32, n, h, s, e);
            View gv = ComposedOnly.zeros(backend, DType.FLOAT32, n, h, s, ev);
            backend.attentionBackward(qv, kv, vv, scale, dropout, probs, ComposedOnly.view(backend, go, n, h, l, ev),
                    gq, gk, gv);
            results[impl] = concat(backend.readFloats(out), backend.readFloats(probs), backend.readFloats(gq),
                    backend.readFloats(gk), backend.readFloats(gv));
        }
        FusedAttentionTest.assertAgree(backends, results, "");
    }

    @Test
    void badArgumentsAreNamed() {
        Tensor q = Checks.randn(51, 2, 3, 4);
        Tensor k = Checks.randn(52, 2, 5, 4);
        Tensor v = Checks.randn(53, 2, 5, 3);
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> FusedAttention.compute(q, k, v, 1f, 1.5f, new Generator(1)));
        assertEquals("attention: dropout probability must be in [0, 1], got 1.5", ex.getMessage());
        NullPointerException npe = assertThrows(NullPointerException.class,
                () -> FusedAttention.compute(q, k, v, 1f, 0.5f, null));
        assertTrue(npe.getMessage().contains("generator"), npe.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new AttentionDropout(0L, -0.1f, 1f));
    }

    /** The oracle: softmax, then the mask of Fused.dropoutMask, then the product, scaled by 1 / (1 - p). */
    private static Tensor composed(Tensor q, Tensor k, Tensor v, float scale, float p, Generator g) {
        Tensor probs = q.mul(scale).matmul(k.transpose(-2, -1)).softmax(-1);
        Tensor keep = Fused.dropoutMask(probs, g, p, 1f);
        return probs.mul(keep).matmul(v).mul(p >= 1f ? 0f : 1f / (1f - p));
    }

    private static boolean differ(float[] a, float[] b) {
        for (int i = 0; i < a.length; i++) {
            if (Math.abs(a[i] - b[i]) > 1e-3f) {
                return true;
            }
        }
        return false;
    }
}
