package dev.tessera;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.kit.ComposedOnly;
import dev.tessera.spi.View;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link FusedAttention}: values and gradients against the same formula composed of tensor ops
 * (matmul, softmax), on short and long rows and on strided inputs; the composed SPI default
 * against the CPU kernel; the gradient checker; errors.
 */
class FusedAttentionTest {

    /** batch dims, L, S, E, Ev, whether the inputs are strided views. */
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(new int[] {3}, 5, 7, 4, 6, false),
                Arguments.of(new int[] {2, 3}, 1, 3, 8, 2, false),
                Arguments.of(new int[] {4}, 40, 37, 16, 8, false),
                Arguments.of(new int[] {2, 2}, 33, 64, 32, 32, true),
                Arguments.of(new int[] {5}, 17, 48, 12, 20, true));
    }

    @ParameterizedTest(name = "batch={0} L={1} S={2} E={3} Ev={4} strided={5}")
    @MethodSource("cases")
    void matchesTheComposedFormula(int[] batch, int l, int s, int e, int ev, boolean strided) {
        Tensor q = input(11, strided, batch, l, e);
        Tensor k = input(12, strided, batch, s, e);
        Tensor v = input(13, strided, batch, s, ev);
        Tensor gradOut = Checks.randn(14, concat(batch, l, ev));
        float scale = (float) (1.0 / Math.sqrt(e));

        Tensor[] fused = leaves(q, k, v);
        Tensor out = FusedAttention.compute(fused[0], fused[1], fused[2], scale);
        out.backward(gradOut);

        Tensor[] ref = leaves(q, k, v);
        Tensor expected = ref[0].mul(scale).matmul(ref[1].transpose(-2, -1)).softmax(-1).matmul(ref[2]);
        expected.backward(gradOut);

        assertArrayEquals(expected.shape(), out.shape());
        assertClose("output", expected, out);
        assertClose("grad q", ref[0].grad(), fused[0].grad());
        assertClose("grad k", ref[1].grad(), fused[1].grad());
        assertClose("grad v", ref[2].grad(), fused[2].grad());
    }

    @Test
    void kernelsAgreeWithTheComposedDefault() {
        int b = 3;
        int l = 20;
        int s = 35;
        int e = 8;
        int ev = 5;
        float scale = 0.4f;
        float[] q = Checks.randn(21, b, l, e).toFloatArray();
        float[] k = Checks.randn(22, b, s, e).toFloatArray();
        float[] v = Checks.randn(23, b, s, ev).toFloatArray();
        float[] go = Checks.randn(24, b, l, ev).toFloatArray();
        dev.tessera.spi.Backend[] backends = backendsToCompare();
        float[][] results = new float[backends.length][];
        for (int impl = 0; impl < backends.length; impl++) {
            dev.tessera.spi.Backend backend = backends[impl];
            View probs = ComposedOnly.zeros(backend, DType.FLOAT32, b, l, s);
            View out = ComposedOnly.zeros(backend, DType.FLOAT32, b, l, ev);
            View qv = ComposedOnly.view(backend, q, b, l, e);
            View kv = ComposedOnly.view(backend, k, b, s, e);
            View vv = ComposedOnly.view(backend, v, b, s, ev);
            backend.attention(qv, kv, vv, scale, null, null, probs, out);
            View gq = ComposedOnly.zeros(backend, DType.FLOAT32, b, l, e);
            View gk = ComposedOnly.zeros(backend, DType.FLOAT32, b, s, e);
            View gv = ComposedOnly.zeros(backend, DType.FLOAT32, b, s, ev);
            backend.attentionBackward(qv, kv, vv, scale, null, probs, ComposedOnly.view(backend, go, b, l, ev), gq, gk, gv);
            results[impl] = concat(backend.readFloats(out), backend.readFloats(probs), backend.readFloats(gq),
                    backend.readFloats(gk), backend.readFloats(gv));
        }
        assertAgree(backends, results, "");
    }

    /** The composed SPI default over the kit device's primitives, the kit device's kernel, the CPU's kernel. */
    static dev.tessera.spi.Backend[] backendsToCompare() {
        return new dev.tessera.spi.Backend[] {ComposedOnly.onTestDevice(), TestDevice.backend(), TestDevice.cpuBackend()};
    }

    /** Asserts that each backend's results equal the first's (the composed default) to float rounding. */
    static void assertAgree(dev.tessera.spi.Backend[] backends, float[][] results, String what) {
        for (int impl = 1; impl < backends.length; impl++) {
            for (int i = 0; i < results[0].length; i++) {
                assertEquals(results[0][i], results[impl][i], 1e-5 + 1e-4 * Math.abs(results[0][i]),
                        backends[impl] + what + ": element " + i);
            }
        }
    }

    @ParameterizedTest(name = "batch={0} L={1} S={2} E={3} Ev={4}")
    @org.junit.jupiter.params.provider.CsvSource({"0, 3, 4, 5, 6", "2, 0, 3, 4, 5", "2, 3, 0, 4, 5", "2, 3, 4, 0, 5",
        "2, 3, 4, 5, 0"})
    void emptyDimensionsGiveWhatTheComposedOpsGive(int b, int l, int s, int e, int ev) {
        Tensor q = Checks.randn(51, b, l, e);
        Tensor k = Checks.randn(52, b, s, e);
        Tensor v = Checks.randn(53, b, s, ev);
        Tensor[] fused = leaves(q, k, v);
        Tensor out = FusedAttention.compute(fused[0], fused[1], fused[2], 0.5f);
        Tensor[] ref = leaves(q, k, v);
        Tensor expected = ref[0].mul(0.5f).matmul(ref[1].transpose(-2, -1)).softmax(-1).matmul(ref[2]);
        assertArrayEquals(expected.shape(), out.shape());
        assertClose("output", expected, out);
        out.sum().backward();
        expected.sum().backward();
        for (int i = 0; i < 3; i++) {
            assertClose("grad " + i, ref[i].grad(), fused[i].grad());
        }
    }

    @ParameterizedTest(name = "L={0} N={1} heads={2} D={3} batchFirst={4}")
    @org.junit.jupiter.params.provider.CsvSource({"9, 3, 2, 4, false", "1, 5, 3, 2, false", "17, 1, 4, 8, false",
        "33, 4, 1, 16, false", "9, 3, 2, 4, true", "1, 5, 3, 2, true", "17, 2, 4, 8, true", "5, 1, 3, 4, true"})
    void headsOfAProjectionComeBackInItsLayout(int l, int n, int h, int d, boolean batchFirst) {
        // As MultiheadAttention splits heads: q, k and v are [N, H, L, D] views of one [L, N, 3E]
        // (or, batch first, [N, L, 3E]) projection.
        int e = h * d;
        Tensor projection = batchFirst ? Checks.randn(61, n, l, 3 * e) : Checks.randn(61, l, n, 3 * e);
        Tensor gradOut = Checks.randn(62, n, h, l, d);
        float scale = (float) (1.0 / Math.sqrt(d));

        Tensor fused = projection.detach().requiresGrad(true);
        Tensor[] heads = heads(fused, l, n, h, d, batchFirst);
        Tensor out = FusedAttention.compute(heads[0], heads[1], heads[2], scale);
        // Laid out like the query: back to [L, N, E] (or [N, L, E]) with a view, no copy.
        Tensor joined = batchFirst ? out.permute(0, 2, 1, 3) : out.permute(2, 0, 1, 3);
        assertTrue(joined.isContiguous(), "the output lies in memory as the projection's heads do");
        out.backward(gradOut);

        Tensor ref = projection.detach().requiresGrad(true);
        Tensor[] refHeads = heads(ref, l, n, h, d, batchFirst);
        Tensor expected = refHeads[0].mul(scale).matmul(refHeads[1].transpose(-2, -1)).softmax(-1).matmul(refHeads[2]);
        expected.backward(gradOut);

        assertClose("output", expected, out);
        assertClose("grad of the projection", ref.grad(), fused.grad());
    }

    @Test
    void aGradientExpandedAlongTheRowsIsReadAsItIs() {
        // sum over the query positions: the output's gradient repeats one row (row stride 0).
        Tensor q = Checks.randn(81, 3, 6, 4);
        Tensor k = Checks.randn(82, 3, 5, 4);
        Tensor v = Checks.randn(83, 3, 5, 7);
        Tensor[] fused = leaves(q, k, v);
        FusedAttention.compute(fused[0], fused[1], fused[2], 0.5f).sum(1, false).sum().backward();
        Tensor[] ref = leaves(q, k, v);
        ref[0].mul(0.5f).matmul(ref[1].transpose(-2, -1)).softmax(-1).matmul(ref[2]).sum(1, false).sum().backward();
        for (int i = 0; i < 3; i++) {
            assertClose("grad " + i, ref[i].grad(), fused[i].grad());
        }
    }

    @Test
    @CpuOnly("reads the CPU backend's array pool")
    void probabilitiesGoBackToThePoolWhenBackwardFreesTheGraph() {
        // One problem of 41 x 43 scores: a length no other test's arrays have.
        Tensor q = Checks.randn(71, 1, 41, 8).requiresGrad(true);
        Tensor k = Checks.randn(72, 1, 43, 8).requiresGrad(true);
        Tensor v = Checks.randn(73, 1, 43, 8).requiresGrad(true);
        long probsBytes = 4L * 41 * 43;
        Tensor out = FusedAttention.compute(q, k, v, 0.3f);
        long before = Device.cpu().memoryStats().bytesCached();
        out.sum().backward(Tensor.scalar(1f), true); // graph kept: the probabilities too
        float[] first = q.grad().toFloatArray();
        long kept = Device.cpu().memoryStats().bytesCached();
        out.sum().backward(); // reads them again, then frees the graph
        long freed = Device.cpu().memoryStats().bytesCached();
        float[] twice = q.grad().toFloatArray();
        for (int i = 0; i < first.length; i++) {
            assertEquals(2 * first[i], twice[i], 1e-5f * (1 + Math.abs(first[i])), "element " + i);
        }
        assertTrue(kept < before + probsBytes, "kept with the graph: " + before + " -> " + kept);
        assertTrue(freed >= kept + probsBytes, "pooled once the graph is freed: " + kept + " -> " + freed);

        long beforeNoGrad = Device.cpu().memoryStats().bytesCached();
        try (GradMode ignored = new GradMode(false)) {
            FusedAttention.compute(q, k, v, 0.3f);
        }
        // It takes the pooled array for its probabilities, and gives it back at once: nothing will read them.
        assertTrue(Device.cpu().memoryStats().bytesCached() >= beforeNoGrad, "without a graph: pooled again at once");
    }

    /** q, k and v as {@code [N, H, L, D]} views of a {@code [L, N, 3 H D]} (or {@code [N, L, 3 H D]}) projection. */
    static Tensor[] heads(Tensor projection, int l, int n, int h, int d, boolean batchFirst) {
        int e = h * d;
        Tensor[] qkv = new Tensor[3];
        for (int i = 0; i < 3; i++) {
            Tensor part = projection.slice(-1, i * e, (i + 1) * e);
            qkv[i] = batchFirst ? part.reshape(n, l, h, d).permute(0, 2, 1, 3)
                    : part.reshape(l, n, h, d).permute(1, 2, 0, 3);
        }
        return qkv;
    }

    @Test
    void gradientsPassTheChecker() {
        GradCheck.assertGradients(in -> FusedAttention.compute(in[0], in[1], in[2], 0.7f),
                Checks.randn(31, 2, 3, 4), Checks.randn(32, 2, 5, 4), Checks.randn(33, 2, 5, 3));
    }

    @Test
    void badShapesAreNamed() {
        Tensor q = Checks.randn(41, 2, 3, 4);
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> FusedAttention.compute(q, Checks.randn(42, 2, 5, 3), Checks.randn(43, 2, 5, 3), 1f));
        assertTrue(ex.getMessage().startsWith("attention: q [2, 3, 4], k [2, 5, 3]"), ex.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> FusedAttention.compute(q, Checks.randn(44, 3, 5, 4), Checks.randn(45, 3, 5, 3), 1f));
    }

    /** A random {@code [batch..., rows, cols]} tensor, or the same values as a strided (transposed) view. */
    static Tensor input(long seed, boolean strided, int[] batch, int rows, int cols) {
        Tensor t = Checks.randn(seed, concat(batch, rows, cols));
        if (!strided) {
            return t;
        }
        // Same values, rows and the first batch dimension swapped in memory.
        int d = t.dim();
        return t.transpose(0, d - 2).contiguous().transpose(0, d - 2);
    }

    static Tensor[] leaves(Tensor... ts) {
        Tensor[] out = new Tensor[ts.length];
        for (int i = 0; i < ts.length; i++) {
            out[i] = ts[i].detach().requiresGrad(true);
        }
        return out;
    }

    static int[] concat(int[] batch, int a, int b) {
        int[] s = java.util.Arrays.copyOf(batch, batch.length + 2);
        s[batch.length] = a;
        s[batch.length + 1] = b;
        return s;
    }

    static float[] concat(float[]... parts) {
        int n = 0;
        for (float[] p : parts) {
            n += p.length;
        }
        float[] out = new float[n];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    static void assertClose(String what, Tensor expected, Tensor actual) {
        float[] x = expected.toFloatArray();
        float[] y = actual.toFloatArray();
        assertEquals(x.length, y.length, what + ": length");
        for (int i = 0; i < x.length; i++) {
            assertEquals(x[i], y[i], 2e-5 + 2e-4 * Math.abs(x[i]), what + ": element " + i);
        }
    }
}
