package dev.tessera;

import static dev.tessera.FusedAttentionTest.assertClose;
import static dev.tessera.FusedAttentionTest.concat;
import static dev.tessera.FusedAttentionTest.leaves;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.kit.ComposedOnly;
import dev.tessera.spi.AttentionDropout;
import dev.tessera.spi.Backend;
import dev.tessera.spi.View;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link FusedAttention} with a constant bias added to the scaled scores (how attention masks
 * reach it): values and gradients against the composed ops for biases broadcast along every
 * dimension, with blocked entries ({@code -1e30}) and a fully blocked row, with and without
 * dropout; the gradient checker; the SPI's composed default against the backends' kernels on
 * biases with zero strides; errors.
 */
class FusedAttentionBiasTest {
    private static final float BLOCKED = -1e30f;

    /**
     * Problems {@code [N, H]} of {@code L x S} scores; the bias shape as a string ({@code "L,S"},
     * {@code "N,1,1,S"}, ...); whether q is a strided view; the dropout probability.
     */
    @ParameterizedTest(name = "N={0} H={1} L={2} S={3} bias=[{4}] strided={5} p={6}")
    @CsvSource(delimiter = ';', value = {
        "2; 3; 5; 7; L,S; false; 0", "2; 3; 5; 7; N,1,1,S; false; 0", "2; 3; 6; 9; N,1,L,1; true; 0",
        "2; 2; 4; 40; 1,H,L,S; false; 0", "3; 2; 33; 37; N,H,L,S; true; 0", "2; 3; 5; 7; S; false; 0",
        "2; 3; 5; 7; N,1,1,S; false; 0.2", "1; 4; 17; 48; L,S; true; 0.5"})
    void addsTheBiasAsTheComposedOpsDo(int n, int h, int l, int s, String biasDims, boolean strided, float p) {
        int e = 8;
        int ev = 6;
        Tensor q = Checks.randn(11, n, h, l, e);
        if (strided) {
            q = q.permute(1, 0, 2, 3).contiguous().permute(1, 0, 2, 3);
        }
        Tensor k = Checks.randn(12, n, h, s, e);
        Tensor v = Checks.randn(13, n, h, s, ev);
        Tensor bias = bias(biasDims, n, h, l, s);
        Tensor gradOut = Checks.randn(14, n, h, l, ev);
        float scale = (float) (1.0 / Math.sqrt(e));

        Tensor[] fused = leaves(q, k, v);
        Tensor out = FusedAttention.compute(fused[0], fused[1], fused[2], scale, bias, p, new Generator(3));
        out.backward(gradOut);

        Tensor[] ref = leaves(q, k, v);
        Tensor probs = ref[0].mul(scale).matmul(ref[1].transpose(-2, -1)).add(bias).softmax(-1);
        if (p > 0f) {
            probs = probs.mul(Fused.dropoutMask(probs, new Generator(3), p, 1f)).mul(1f / (1f - p));
        }
        Tensor expected = probs.matmul(ref[2]);
        expected.backward(gradOut);

        assertClose("output", expected, out);
        assertClose("grad q", ref[0].grad(), fused[0].grad());
        assertClose("grad k", ref[1].grad(), fused[1].grad());
        assertClose("grad v", ref[2].grad(), fused[2].grad());
    }

    @Test
    void aSingleProblemTakesAMatrixBias() {
        Tensor q = Checks.randn(21, 6, 4);
        Tensor k = Checks.randn(22, 9, 4);
        Tensor v = Checks.randn(23, 9, 3);
        Tensor bias = bias("L,S", 1, 1, 6, 9);
        Tensor out = FusedAttention.compute(q, k, v, 0.5f, bias, 0f, null);
        Tensor expected = q.mul(0.5f).matmul(k.transpose(0, 1)).add(bias).softmax(-1).matmul(v);
        assertClose("output", expected, out);
    }

    @Test
    void gradientsPassTheChecker() {
        Tensor bias = bias("N,1,1,S", 2, 1, 3, 5).reshape(2, 1, 5);
        GradCheck.assertGradients(in -> FusedAttention.compute(in[0], in[1], in[2], 0.7f, bias, 0f, null),
                Checks.randn(31, 2, 3, 4), Checks.randn(32, 2, 5, 4), Checks.randn(33, 2, 5, 3));
    }

    @Test
    void kernelsAgreeWithTheComposedDefaultOnBiasesWithZeroStrides() {
        int n = 3;
        int h = 2;
        int l = 6;
        int s = 9;
        int e = 4;
        int ev = 5;
        float scale = 0.4f;
        float[] q = Checks.randn(41, n, h, l, e).toFloatArray();
        float[] k = Checks.randn(42, n, h, s, e).toFloatArray();
        float[] v = Checks.randn(43, n, h, s, ev).toFloatArray();
        float[] keyBias = bias("N,1,1,S", n, 1, 1, s).toFloatArray();
        float[] rowBias = bias("L,1", 1, 1, l, 1).toFloatArray();
        AttentionDropout dropout = AttentionDropout.inverted(new Generator(17).reserve((long) n * h * l * s), 0.3f);
        Backend[] backends = FusedAttentionTest.backendsToCompare();
        for (int which = 0; which < 2; which++) {
            float[][] results = new float[backends.length][];
            for (int impl = 0; impl < backends.length; impl++) {
                Backend backend = backends[impl];
                // key padding [N, 1, 1, S] as [N, H, L, S] (strides S, 0, 0, 1), or one value per query
                // [L, 1] as [N, H, L, S] (strides 0, 0, 1, 0)
                View bias = which == 0
                        ? broadcast(ComposedOnly.view(backend, keyBias, n, s), new int[] {n, h, l, s}, new int[] {s, 0, 0, 1})
                        : broadcast(ComposedOnly.view(backend, rowBias, l), new int[] {n, h, l, s}, new int[] {0, 0, 1, 0});
                View probs = ComposedOnly.zeros(backend, DType.FLOAT32, n, h, l, s);
                View out = ComposedOnly.zeros(backend, DType.FLOAT32, n, h, l, ev);
                backend.attention(ComposedOnly.view(backend, q, n, h, l, e), ComposedOnly.view(backend, k, n, h, s, e),
                        ComposedOnly.view(backend, v, n, h, s, ev), scale, bias, which == 0 ? dropout : null, probs, out);
                results[impl] = concat(backend.readFloats(out), backend.readFloats(probs));
            }
            FusedAttentionTest.assertAgree(backends, results, ", bias " + which);
        }
    }

    @Test
    void badBiasesAreNamed() {
        Tensor q = Checks.randn(51, 2, 3, 4);
        Tensor k = Checks.randn(52, 2, 5, 4);
        Tensor v = Checks.randn(53, 2, 5, 3);
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> FusedAttention.compute(q, k, v, 1f, Checks.randn(54, 4, 5), 0f, null));
        assertEquals("attention: bias [4, 5] does not broadcast to the scores [2, 3, 5]", shape.getMessage());
        IllegalArgumentException learned = assertThrows(IllegalArgumentException.class,
                () -> FusedAttention.compute(q, k, v, 1f, Checks.randn(55, 3, 5).requiresGrad(true), 0f, null));
        assertTrue(learned.getMessage().contains("requires a gradient"), learned.getMessage());
        IllegalArgumentException ints = assertThrows(IllegalArgumentException.class,
                () -> FusedAttention.compute(q, k, v, 1f, Tensor.ofInts(new int[15], 3, 5).to(q.device()), 0f, null));
        assertEquals("attention: the bias must be FLOAT32, got INT32", ints.getMessage());
    }

    /**
     * A bias of the named dimensions (each N, H, L, S or 1), random in [-2, 2) with about one
     * entry in five blocked; with an L dimension, query 1's keys are all blocked.
     */
    private static Tensor bias(String dims, int n, int h, int l, int s) {
        String[] names = dims.split(",");
        int[] shape = new int[names.length];
        for (int i = 0; i < names.length; i++) {
            shape[i] = switch (names[i].trim()) {
                case "N" -> n;
                case "H" -> h;
                case "L" -> l;
                case "S" -> s;
                default -> Integer.parseInt(names[i].trim());
            };
        }
        float[] values = Tensor.rand(new Generator(77), shape).toFloatArray();
        boolean hasL = names.length >= 2 && names[names.length - 2].trim().equals("L");
        int last = shape[shape.length - 1];
        int rowLen = last;
        for (int i = 0; i < values.length; i++) {
            int row = hasL ? (i / rowLen) % l : -1;
            values[i] = row == 1 || values[i] < 0.2f ? BLOCKED : 4f * values[i] - 2f;
        }
        return Checks.tensor(values, shape);
    }

    private static View broadcast(View v, int[] shape, int[] strides) {
        return new View(v.storage(), shape, strides, v.offset());
    }
}
