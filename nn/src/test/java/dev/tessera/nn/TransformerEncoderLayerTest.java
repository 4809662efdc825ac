package dev.tessera.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.Generator;
import dev.tessera.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TransformerEncoderLayerTest {
    private static final int D = 8;
    private static final int HEADS = 2;
    private static final int FF = 12;
    private static final int N = 2;
    private static final int S = 4;
    private static final double EPS = 1e-5;

    private static int[] layout(boolean batchFirst) {
        return batchFirst ? new int[] {N, S, D} : new int[] {S, N, D};
    }

    private static TransformerEncoderLayer layer(double dropout, TransformerActivation act, boolean batchFirst,
            boolean normFirst, long seed) {
        return new TransformerEncoderLayer(D, HEADS, FF, dropout, act, EPS, batchFirst, normFirst, new Generator(seed));
    }

    @Test
    void stateDictIsPyTorchs() {
        TransformerEncoderLayer l = new TransformerEncoderLayer(D, HEADS, FF, 0.1);
        Map<String, Tensor> state = l.stateDict();
        assertEquals(List.of("self_attn.in_proj_weight", "self_attn.in_proj_bias", "self_attn.out_proj.weight",
                "self_attn.out_proj.bias", "linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias", "norm1.weight",
                "norm1.bias", "norm2.weight", "norm2.bias"), List.copyOf(state.keySet()));
        assertArrayEquals(new int[] {3 * D, D}, state.get("self_attn.in_proj_weight").shape());
        assertArrayEquals(new int[] {FF, D}, state.get("linear1.weight").shape());
        assertArrayEquals(new int[] {D, FF}, state.get("linear2.weight").shape());
        assertArrayEquals(new int[] {D}, state.get("norm2.bias").shape());
        assertEquals(List.of("self_attn", "linear1", "dropout", "linear2", "norm1", "norm2", "dropout1", "dropout2"),
                List.copyOf(l.namedChildren().keySet()));
        assertEquals(0.1, ((Dropout) l.get("dropout1")).p(), 1e-7);
        assertEquals(0.1, l.selfAttn().dropout(), 1e-7);
    }

    @Test
    void matchesOracleForEveryLayoutNormPlacementAndMode() {
        long seed = 1;
        for (boolean batchFirst : new boolean[] {false, true}) {
            for (boolean normFirst : new boolean[] {false, true}) {
                TransformerActivation act = normFirst ? TransformerActivation.GELU : TransformerActivation.RELU;
                TransformerEncoderLayer l = layer(0.0, act, batchFirst, normFirst, seed++);
                Map<String, double[]> p = AttentionOracle.randomize(l, seed++);
                Tensor x = NnTestUtil.uniform(seed++, -1f, 1f, layout(batchFirst));
                double[] want = AttentionOracle.encoderLayer(p, "", AttentionOracle.d(x), N, S, D, HEADS, FF,
                        act == TransformerActivation.GELU, EPS, batchFirst, normFirst, null);
                NnTestUtil.assertClose(want, l.train().forward(x), 2e-5, layout(batchFirst));
                NnTestUtil.assertClose(want, l.eval().forward(x), 2e-5, layout(batchFirst));
            }
        }
    }

    @Test
    void masksReachTheSelfAttention() {
        for (boolean normFirst : new boolean[] {false, true}) {
            TransformerEncoderLayer l = layer(0.0, TransformerActivation.GELU, false, normFirst, 20);
            Map<String, double[]> p = AttentionOracle.randomize(l, 21);
            Tensor x = NnTestUtil.uniform(22, -1f, 1f, S, N, D);
            // Causal, and batch 0 pads its last key.
            AttentionOracle.Bias bias = (n, h, i, j) -> j > i || (n == 0 && j == S - 1) ? Double.NEGATIVE_INFINITY : 0;
            double[] want = AttentionOracle.encoderLayer(p, "", AttentionOracle.d(x), N, S, D, HEADS, FF, true, EPS, false,
                    normFirst, bias);
            Tensor padding = Tensor.of(new float[] {0, 0, 0, 1, 0, 0, 0, 0}, N, S);
            NnTestUtil.assertClose(want, l.forward(x, AttentionMask.causal(), AttentionMask.block(padding)), 2e-5, S, N, D);
        }
    }

    @Test
    void dropoutActsInTrainingOnly() {
        TransformerEncoderLayer l = layer(0.3, TransformerActivation.RELU, true, false, 30);
        Map<String, double[]> p = AttentionOracle.randomize(l, 31);
        Tensor x = NnTestUtil.uniform(32, -1f, 1f, N, S, D);
        double[] want = AttentionOracle.encoderLayer(p, "", AttentionOracle.d(x), N, S, D, HEADS, FF, false, EPS, true, false,
                null);
        float[] a = l.train().forward(x).toFloatArray();
        float[] b = l.forward(x).toFloatArray();
        assertFalse(java.util.Arrays.equals(a, b));
        double diff = 0;
        for (int i = 0; i < a.length; i++) {
            diff = Math.max(diff, Math.abs(a[i] - want[i]));
        }
        assertTrue(diff > 1e-2, "training-mode output differs from the dropout-free one, max diff " + diff);
        NnTestUtil.assertClose(want, l.eval().forward(x), 2e-5, N, S, D);
    }

    @Test
    void gradientsReachEveryParameter() {
        TransformerEncoderLayer l = new TransformerEncoderLayer(4, 2, 6, 0.0, TransformerActivation.GELU, EPS, true, true,
                new Generator(40));
        AttentionOracle.randomize(l, 41);
        NnTestUtil.assertParameterGradients(l, NnTestUtil.uniform(42, -1f, 1f, 2, 3, 4));
    }

    @Test
    void copyHasTheSameWeightsAndBadInputsAreNamed() {
        TransformerEncoderLayer l = layer(0.1, TransformerActivation.RELU, false, false, 50);
        TransformerEncoderLayer c = l.copy();
        l.stateDict().forEach((k, v) -> assertArrayEquals(v.toFloatArray(), c.stateDict().get(k).toFloatArray(), k));
        Init.zeros(c.selfAttn().inProjWeight());
        assertTrue(l.selfAttn().inProjWeight().abs().sum().item() > 0, "the copy does not share data");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> l.forward(Tensor.zeros(S, N, D + 1)));
        assertTrue(e.getMessage().contains("[4, 2, 9]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new TransformerEncoderLayer(D, 3, FF, 0.1));
    }
}
