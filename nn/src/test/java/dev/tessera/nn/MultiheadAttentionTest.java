package dev.tessera.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.Generator;
import dev.tessera.GradCheck;
import dev.tessera.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MultiheadAttentionTest {
    private static final int E = 8;
    private static final int HEADS = 2;
    private static final int N = 2;
    private static final int L = 3;
    private static final int S = 5;

    private static int[] layout(boolean batchFirst, int len) {
        return batchFirst ? new int[] {N, len, E} : new int[] {len, N, E};
    }

    @Test
    void parameterNamesShapesAndInitArePyTorchs() {
        MultiheadAttention mha = new MultiheadAttention(E, HEADS);
        Map<String, Tensor> state = mha.stateDict();
        assertEquals(List.of("in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"), List.copyOf(state.keySet()));
        assertArrayEquals(new int[] {3 * E, E}, state.get("in_proj_weight").shape());
        assertArrayEquals(new int[] {3 * E}, state.get("in_proj_bias").shape());
        assertArrayEquals(new int[] {E, E}, state.get("out_proj.weight").shape());
        assertArrayEquals(new int[] {E}, state.get("out_proj.bias").shape());
        assertEquals(0f, state.get("in_proj_bias").abs().sum().item());
        assertEquals(0f, state.get("out_proj.bias").abs().sum().item());
        double xavier = Math.sqrt(6.0 / (E + 3 * E));
        float max = state.get("in_proj_weight").abs().max().item();
        assertTrue(max <= xavier && max > 0.8 * xavier, "xavier bound " + xavier + ", max " + max);
        assertEquals(List.of("in_proj_weight", "out_proj.weight"),
                List.copyOf(new MultiheadAttention(E, HEADS, 0.0, false, false).stateDict().keySet()));
        assertEquals(4, mha.headDim());
    }

    @Test
    void selfAttentionMatchesOracleInBothLayoutsAndModes() {
        for (boolean batchFirst : new boolean[] {false, true}) {
            MultiheadAttention mha = new MultiheadAttention(E, HEADS, 0.0, true, batchFirst, new Generator(1));
            Map<String, double[]> p = AttentionOracle.randomize(mha, 2);
            Tensor x = NnTestUtil.uniform(3, -1f, 1f, layout(batchFirst, L));
            double[][] want = AttentionOracle.mha(p, "", AttentionOracle.d(x), AttentionOracle.d(x), AttentionOracle.d(x), N,
                    L, L, E, HEADS, batchFirst, null);
            for (boolean train : new boolean[] {true, false}) {
                mha.train(train);
                NnTestUtil.assertClose(want[0], mha.forward(x), 1e-5, layout(batchFirst, L));
                MultiheadAttention.Result r = mha.forward(x, x, x, null, null, true);
                NnTestUtil.assertClose(want[0], r.output(), 1e-5, layout(batchFirst, L));
                NnTestUtil.assertClose(want[1], r.weights(), 1e-5, N, L, L);
            }
        }
    }

    @Test
    void crossAttentionWithMasksMatchesOracle() {
        for (boolean batchFirst : new boolean[] {false, true}) {
            MultiheadAttention mha = new MultiheadAttention(E, HEADS, 0.0, true, batchFirst, new Generator(4));
            Map<String, double[]> p = AttentionOracle.randomize(mha, 5);
            Tensor query = NnTestUtil.uniform(6, -1f, 1f, layout(batchFirst, L));
            Tensor key = NnTestUtil.uniform(7, -1f, 1f, layout(batchFirst, S));
            Tensor value = NnTestUtil.uniform(8, -1f, 1f, layout(batchFirst, S));
            // Batch 1 pads its last two keys; query i may not see key i + 2.
            Tensor padding = Tensor.of(new float[] {0, 0, 0, 0, 0, 0, 0, 0, 1, 1}, N, S);
            float[] blocked = new float[L * S];
            for (int i = 0; i < L; i++) {
                blocked[i * S + i + 2] = 1;
            }
            AttentionOracle.Bias bias = (n, h, i, j) -> (n == 1 && j >= 3) || j == i + 2 ? Double.NEGATIVE_INFINITY : 0;
            double[][] want = AttentionOracle.mha(p, "", AttentionOracle.d(query), AttentionOracle.d(key),
                    AttentionOracle.d(value), N, L, S, E, HEADS, batchFirst, bias);
            mha.eval();
            MultiheadAttention.Result r = mha.forward(query, key, value, AttentionMask.block(padding),
                    AttentionMask.block(Tensor.of(blocked, L, S)), true);
            NnTestUtil.assertClose(want[0], r.output(), 1e-5, layout(batchFirst, L));
            NnTestUtil.assertClose(want[1], r.weights(), 1e-5, N, L, S);
            // key == value takes the two-product path
            double[][] same = AttentionOracle.mha(p, "", AttentionOracle.d(query), AttentionOracle.d(key),
                    AttentionOracle.d(key), N, L, S, E, HEADS, batchFirst, null);
            NnTestUtil.assertClose(same[0], mha.forward(query, key, key, null, null, false).output(), 1e-5,
                    layout(batchFirst, L));
        }
    }

    @Test
    void perHeadMaskCausalMaskAndUnaveragedWeights() {
        MultiheadAttention mha = new MultiheadAttention(E, HEADS, 0.0, true, false, new Generator(9));
        Map<String, double[]> p = AttentionOracle.randomize(mha, 10);
        Tensor x = NnTestUtil.uniform(11, -1f, 1f, L, N, E);
        double[] xd = AttentionOracle.d(x);
        // [N * HEADS, L, L] additive: head 1 of batch 0 gets a bias towards key 0.
        float[] add = new float[N * HEADS * L * L];
        for (int i = 0; i < L; i++) {
            add[L * L + i * L] = 2f;
        }
        AttentionOracle.Bias bias = (n, h, i, j) -> j > i ? Double.NEGATIVE_INFINITY : add[((n * HEADS + h) * L + i) * L + j];
        double[][] want = AttentionOracle.mha(p, "", xd, xd, xd, N, L, L, E, HEADS, false, bias);
        AttentionMask mask = AttentionMask.additive(Tensor.of(add, N * HEADS, L, L)).and(AttentionMask.causal());
        MultiheadAttention.Result r = mha.forward(x, x, x, null, mask, true, false);
        NnTestUtil.assertClose(want[0], r.output(), 1e-5, L, N, E);
        assertArrayEquals(new int[] {N, HEADS, L, L}, r.weights().shape());
        NnTestUtil.assertClose(want[1], r.weights().mean(1, false), 1e-5, N, L, L);
        assertNull(mha.forward(x, x, x, null, null, false).weights());
    }

    @Test
    void unbatchedInputs() {
        MultiheadAttention mha = new MultiheadAttention(E, HEADS, 0.0, true, true, new Generator(12));
        Tensor x = NnTestUtil.uniform(13, -1f, 1f, L, E);
        MultiheadAttention.Result r = mha.forward(x, x, x, AttentionMask.block(Tensor.of(new float[] {0, 0, 1}, L)), null,
                true);
        Tensor batched = mha.forward(x.unsqueeze(0), x.unsqueeze(0), x.unsqueeze(0),
                AttentionMask.block(Tensor.of(new float[] {0, 0, 1}, 1, L)), null, false).output();
        assertArrayEquals(new int[] {L, E}, r.output().shape());
        assertArrayEquals(new int[] {L, L}, r.weights().shape());
        assertArrayEquals(batched.squeeze(0).toFloatArray(), r.output().toFloatArray(), 1e-6f);
    }

    @Test
    void dropoutActsInTrainingOnly() {
        MultiheadAttention mha = new MultiheadAttention(E, HEADS, 0.5, true, false, new Generator(14));
        Map<String, double[]> p = AttentionOracle.randomize(mha, 15);
        Tensor x = NnTestUtil.uniform(16, -1f, 1f, L, N, E);
        double[] xd = AttentionOracle.d(x);
        double[] want = AttentionOracle.mha(p, "", xd, xd, xd, N, L, L, E, HEADS, false, null)[0];
        float[] a = mha.train().forward(x).toFloatArray();
        float[] b = mha.forward(x).toFloatArray();
        assertFalse(java.util.Arrays.equals(a, b), "two training-mode calls draw different masks");
        double diff = 0;
        for (int i = 0; i < a.length; i++) {
            diff = Math.max(diff, Math.abs(a[i] - want[i]));
        }
        assertTrue(diff > 1e-3, "dropout changes the output in training mode");
        mha.eval();
        NnTestUtil.assertClose(want, mha.forward(x), 1e-5, L, N, E);
        NnTestUtil.assertClose(want, mha.forward(x), 1e-5, L, N, E);
        assertTrue(mha instanceof Stochastic);
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        MultiheadAttention mha = new MultiheadAttention(4, 2, 0.0, true, true, new Generator(17));
        AttentionOracle.randomize(mha, 18);
        Tensor x = NnTestUtil.uniform(19, -1f, 1f, 2, 3, 4);
        NnTestUtil.assertParameterGradients(mha, x);
        Tensor memory = NnTestUtil.uniform(20, -1f, 1f, 2, 4, 4);
        AttentionMask padding = AttentionMask.block(Tensor.of(new float[] {0, 0, 0, 1, 0, 1, 1, 1}, 2, 4));
        GradCheck.assertGradients(t -> mha.forward(t[0], t[1], t[1], padding, null, false).output(), x, memory);
    }

    @Test
    void badArgumentsNameTheShapes() {
        assertThrows(IllegalArgumentException.class, () -> new MultiheadAttention(10, 3));
        MultiheadAttention mha = new MultiheadAttention(E, HEADS);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> mha.forward(Tensor.zeros(L, N, E + 1)));
        assertTrue(e.getMessage().contains("[3, 2, 9]"), e.getMessage());
        Tensor x = Tensor.zeros(L, N, E);
        e = assertThrows(IllegalArgumentException.class,
                () -> mha.forward(x, x, x, AttentionMask.block(Tensor.zeros(N, L + 1)), null, false));
        assertTrue(e.getMessage().contains("[2, 4]") && e.getMessage().contains("[2, 3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> mha.forward(x, x, x, null, AttentionMask.keep(Tensor.ones(2, L, L)), false));
        assertTrue(e.getMessage().contains("[4, 3, 3]"), e.getMessage());
    }
}
