package dev.tessera.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.Generator;
import dev.tessera.GradCheck;
import dev.tessera.Tensor;
import org.junit.jupiter.api.Test;

class AttentionTest {
    private static final int B = 2;
    private static final int H = 3;
    private static final int L = 4;
    private static final int S = 5;
    private static final int E = 8;
    private static final int EV = 6;

    private final Tensor q = NnTestUtil.uniform(1, -1.5f, 1.5f, B, H, L, E);
    private final Tensor k = NnTestUtil.uniform(2, -1.5f, 1.5f, B, H, S, E);
    private final Tensor v = NnTestUtil.uniform(3, -1f, 1f, B, H, S, EV);

    /** The oracle over [B, H, L, EV]: one explicit double-precision attention per (batch, head). */
    private static double[] expected(Tensor q, Tensor k, Tensor v, AttentionOracle.Bias bias) {
        int b = q.size(0);
        int h = q.size(1);
        int l = q.size(2);
        int s = k.size(2);
        int e = q.size(3);
        int ev = v.size(3);
        double[] qd = AttentionOracle.d(q);
        double[] kd = AttentionOracle.d(k);
        double[] vd = AttentionOracle.d(v);
        double[] out = new double[b * h * l * ev];
        for (int n = 0; n < b; n++) {
            for (int hh = 0; hh < h; hh++) {
                int m = n * h + hh;
                double[][] r = AttentionOracle.attend(part(qd, m, l * e), part(kd, m, s * e), part(vd, m, s * ev), l, s, e, ev,
                        bias, n, hh);
                System.arraycopy(r[0], 0, out, m * l * ev, l * ev);
            }
        }
        return out;
    }

    private static double[] part(double[] x, int index, int size) {
        return java.util.Arrays.copyOfRange(x, index * size, (index + 1) * size);
    }

    /** A 0/1 [L, S] mask with a seeded pattern and at least one 1 per row. */
    private static float[] keepPattern(long seed) {
        Generator g = new Generator(seed);
        float[] m = new float[L * S];
        for (int i = 0; i < L; i++) {
            for (int j = 0; j < S; j++) {
                m[i * S + j] = g.nextDouble() < 0.6 ? 1 : 0;
            }
            m[i * S + g.nextInt(S)] = 1;
        }
        return m;
    }

    @Test
    void noMaskMatchesExplicitSoftmax() {
        Tensor out = F.scaledDotProductAttention(q, k, v, (Tensor) null);
        NnTestUtil.assertClose(expected(q, k, v, null), out, 1e-5, B, H, L, EV);
        // Leading dimensions broadcast: one key/value set for every head.
        Tensor k1 = k.slice(1, 0, 1);
        Tensor v1 = v.slice(1, 0, 1);
        NnTestUtil.assertClose(expected(q, k1.expand(B, H, S, E), v1.expand(B, H, S, EV), null),
                F.scaledDotProductAttention(q, k1, v1, (Tensor) null), 1e-5, B, H, L, EV);
    }

    @Test
    void keepAndBlockMasksMatchOracle() {
        float[] keep = keepPattern(5);
        AttentionOracle.Bias bias = (n, h, i, j) -> keep[i * S + j] != 0 ? 0 : Double.NEGATIVE_INFINITY;
        double[] want = expected(q, k, v, bias);
        Tensor keepT = Tensor.of(keep, L, S);
        NnTestUtil.assertClose(want, F.scaledDotProductAttention(q, k, v, AttentionMask.keep(keepT), 0f, false, null),
                1e-5, B, H, L, EV);
        NnTestUtil.assertClose(want, F.scaledDotProductAttention(q, k, v, AttentionMask.block(keepT.rsub(1f)), 0f, false,
                null), 1e-5, B, H, L, EV);
        // INT32 0/1 masks are read the same way.
        NnTestUtil.assertClose(want, F.scaledDotProductAttention(q, k, v,
                AttentionMask.keep(Tensor.ofInts(keepT.toIntArray(), L, S)), 0f, false, null), 1e-5, B, H, L, EV);
    }

    @Test
    void additiveMaskMatchesOracle() {
        float[] add = NnTestUtil.uniform(6, -2f, 2f, L, S).toFloatArray();
        add[1] = Float.NEGATIVE_INFINITY;
        add[S + 3] = Float.NEGATIVE_INFINITY;
        AttentionOracle.Bias bias = (n, h, i, j) -> add[i * S + j];
        Tensor mask = Tensor.of(add, L, S);
        NnTestUtil.assertClose(expected(q, k, v, bias), F.scaledDotProductAttention(q, k, v, mask), 1e-5, B, H, L, EV);
        NnTestUtil.assertClose(expected(q, k, v, bias),
                F.scaledDotProductAttention(q, k, v, AttentionMask.additive(mask), 0f, false, null), 1e-5, B, H, L, EV);
    }

    @Test
    void causalMatchesOracleTopLeftAligned() {
        AttentionOracle.Bias bias = (n, h, i, j) -> j <= i ? 0 : Double.NEGATIVE_INFINITY;
        double[] want = expected(q, k, v, bias);
        NnTestUtil.assertClose(want, F.scaledDotProductAttention(q, k, v, null, 0f, true), 1e-5, B, H, L, EV);
        NnTestUtil.assertClose(want, F.scaledDotProductAttention(q, k, v, AttentionMask.causal(), 0f, false, null), 1e-5,
                B, H, L, EV);
        Tensor square = q.slice(2, 0, 4);
        NnTestUtil.assertClose(expected(square, square, square.slice(3, 0, EV), bias),
                F.scaledDotProductAttention(square, square, square.slice(3, 0, EV), F.causalMask(4)), 1e-5, B, H, L, EV);
    }

    @Test
    void keyPaddingCausalAndAdditiveCombine() {
        // Batch 0 pads its last two keys, batch 1 its last one.
        Tensor padding = Tensor.of(new float[] {0, 0, 0, 1, 1, 0, 0, 0, 0, 1}, B, 1, 1, S);
        float[] add = NnTestUtil.uniform(7, -1f, 1f, L, S).toFloatArray();
        AttentionOracle.Bias bias = (n, h, i, j) -> {
            boolean padded = j >= (n == 0 ? 3 : 4);
            return padded || j > i ? Double.NEGATIVE_INFINITY : add[i * S + j];
        };
        AttentionMask mask = AttentionMask.block(padding).and(AttentionMask.additive(Tensor.of(add, L, S)));
        NnTestUtil.assertClose(expected(q, k, v, bias), F.scaledDotProductAttention(q, k, v, mask, 0f, true, null), 1e-5,
                B, H, L, EV);
    }

    @Test
    void fullyMaskedRowGivesZerosAndFiniteGradients() {
        float[] keep = keepPattern(8);
        for (int j = 0; j < S; j++) {
            keep[S + j] = 0; // query 1 may see nothing
        }
        float[] add = new float[L * S];
        for (int j = 0; j < S; j++) {
            add[2 * S + j] = Float.NEGATIVE_INFINITY; // query 2 neither, in the additive form
        }
        AttentionMask[] masks = {AttentionMask.keep(Tensor.of(keep, L, S)), AttentionMask.additive(Tensor.of(add, L, S))};
        int[] rows = {1, 2};
        for (int m = 0; m < masks.length; m++) {
            Tensor qq = q.detach().requiresGrad(true);
            Tensor kk = k.detach().requiresGrad(true);
            Tensor vv = v.detach().requiresGrad(true);
            Tensor out = F.scaledDotProductAttention(qq, kk, vv, masks[m], 0f, false, null);
            float[] o = out.toFloatArray();
            for (int i = 0; i < o.length; i++) {
                assertTrue(Float.isFinite(o[i]), "output element " + i + " is " + o[i]);
                if ((i / EV) % L == rows[m]) {
                    assertEquals(0f, o[i], 0f, "fully masked row " + rows[m] + ", element " + i);
                }
            }
            out.mul(out).sum().backward();
            for (Tensor t : new Tensor[] {qq, kk, vv}) {
                for (float gv : t.grad().toFloatArray()) {
                    assertTrue(Float.isFinite(gv), "gradient " + gv);
                }
            }
            float[] gq = qq.grad().toFloatArray();
            for (int i = 0; i < gq.length; i++) {
                if ((i / E) % L == rows[m]) {
                    assertEquals(0f, gq[i], 0f, "gradient of the fully masked query, element " + i);
                }
            }
        }
        // The short overload with an all -inf row as well.
        Tensor out = F.scaledDotProductAttention(q, k, v, Tensor.of(add, L, S));
        for (float x : out.toFloatArray()) {
            assertTrue(Float.isFinite(x));
        }
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        Tensor qs = NnTestUtil.uniform(11, -1f, 1f, 1, 2, 3, 4);
        Tensor ks = NnTestUtil.uniform(12, -1f, 1f, 1, 2, 4, 4);
        Tensor vs = NnTestUtil.uniform(13, -1f, 1f, 1, 2, 4, 3);
        GradCheck.assertGradients(x -> F.scaledDotProductAttention(x[0], x[1], x[2], (Tensor) null), qs, ks, vs);
        Tensor keep = Tensor.of(new float[] {1, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 1}, 3, 4); // row 1 fully masked
        GradCheck.assertGradients(x -> F.scaledDotProductAttention(x[0], x[1], x[2], AttentionMask.keep(keep), 0f, true,
                null), qs, ks, vs);
        // A learned additive bias gets a gradient too.
        Tensor bias = NnTestUtil.uniform(14, -1f, 1f, 3, 4);
        GradCheck.assertGradients(x -> F.scaledDotProductAttention(x[0], x[1], x[2], x[3]), qs, ks, vs, bias);
    }

    @Test
    void dropoutDropsProbabilitiesAndRescales() {
        float p = 0.4f;
        Tensor out = F.scaledDotProductAttention(q, k, v, null, p, false, new Generator(99));
        // Redraw the same keep mask and apply it to explicit probabilities.
        float[] keep = Tensor.rand(new Generator(99), B, H, L, S).ge(p).toFloatArray();
        double[] qd = AttentionOracle.d(q);
        double[] kd = AttentionOracle.d(k);
        double[] vd = AttentionOracle.d(v);
        double[] want = new double[B * H * L * EV];
        for (int m = 0; m < B * H; m++) {
            double[] probs = AttentionOracle.attend(part(qd, m, L * E), part(kd, m, S * E), part(vd, m, S * EV), L, S, E, EV,
                    null, 0, 0)[1];
            for (int i = 0; i < L; i++) {
                for (int c = 0; c < EV; c++) {
                    double acc = 0;
                    for (int j = 0; j < S; j++) {
                        acc += probs[i * S + j] * keep[(m * L + i) * S + j] / (1 - p) * vd[(m * S + j) * EV + c];
                    }
                    want[(m * L + i) * EV + c] = acc;
                }
            }
        }
        NnTestUtil.assertClose(want, out, 1e-5, B, H, L, EV);
        assertNotEquals(0f, out.abs().sum().item());
        for (float x : F.scaledDotProductAttention(q, k, v, null, 1f, false, new Generator(1)).toFloatArray()) {
            assertEquals(0f, x);
        }
    }

    @Test
    void badShapesAndMasksAreRejectedWithTheirShapes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> F.scaledDotProductAttention(q, k.slice(3, 0, 7), v, (Tensor) null));
        assertTrue(e.getMessage().contains("[2, 3, 5, 7]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> F.scaledDotProductAttention(q, k, v, AttentionMask.keep(Tensor.ones(L, S + 1)), 0f, false, null));
        assertTrue(e.getMessage().contains("keep[4, 6]") && e.getMessage().contains("[..., 4, 5]"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> F.scaledDotProductAttention(q, k, v, Tensor.ofInts(new int[L * S], L, S)));
        assertThrows(IllegalArgumentException.class, () -> F.scaledDotProductAttention(q, k, v, null, 1.5f, false));
        assertThrows(IllegalArgumentException.class, () -> AttentionMask.additive(Tensor.ofInts(new int[] {0}, 1)));
    }

    @Test
    void causalMaskValues() {
        float inf = Float.NEGATIVE_INFINITY;
        assertArrayEquals(new float[] {0, inf, inf, 0, 0, inf, 0, 0, 0}, F.causalMask(3).toFloatArray());
        assertEquals("keep[2, 3] & causal", AttentionMask.keep(Tensor.ones(2, 3)).and(AttentionMask.causal()).toString());
    }
}
