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

/** The encoder and decoder stacks, the decoder layer, the full Transformer and the positional encodings. */
class TransformerTest {
    private static final int D = 8;
    private static final int HEADS = 2;
    private static final int FF = 12;
    private static final int N = 2;
    private static final int S = 4;
    private static final int T = 3;
    private static final double EPS = 1e-5;

    @Test
    void encoderStacksCopiesWithPyTorchNames() {
        TransformerEncoderLayer proto = new TransformerEncoderLayer(D, HEADS, FF, 0.0, TransformerActivation.RELU, EPS, false,
                false, new Generator(1));
        TransformerEncoder enc = new TransformerEncoder(proto, 2, new LayerNorm(D));
        List<String> keys = List.copyOf(enc.stateDict().keySet());
        assertEquals("layers.0.self_attn.in_proj_weight", keys.get(0));
        assertTrue(keys.contains("layers.1.norm2.bias"));
        assertEquals(List.of("norm.weight", "norm.bias"), keys.subList(keys.size() - 2, keys.size()));
        assertEquals(2 * 12 + 2, keys.size());
        assertArrayEquals(enc.layer(0).selfAttn().inProjWeight().toFloatArray(),
                enc.layer(1).selfAttn().inProjWeight().toFloatArray(), "copies start equal, as PyTorch's deep copies");

        Map<String, double[]> p = AttentionOracle.randomize(enc, 2);
        Tensor x = NnTestUtil.uniform(3, -1f, 1f, S, N, D);
        AttentionOracle.Bias bias = (n, h, i, j) -> j > i ? Double.NEGATIVE_INFINITY : 0;
        double[] y = AttentionOracle.d(x);
        for (int i = 0; i < 2; i++) {
            y = AttentionOracle.encoderLayer(p, "layers." + i + ".", y, N, S, D, HEADS, FF, false, EPS, false, false, bias);
        }
        y = AttentionOracle.norm(p, "norm", y, N * S, D, 1e-5);
        NnTestUtil.assertClose(y, enc.forward(x, AttentionMask.causal(), null), 5e-5, S, N, D);

        TransformerEncoder fromFactory = new TransformerEncoder(i -> new TransformerEncoderLayer(D, HEADS, FF, 0.1), 3, null);
        assertEquals(3, fromFactory.numLayers());
        assertEquals(null, fromFactory.norm());
        assertThrows(IllegalArgumentException.class, () -> new TransformerEncoder(proto, 0));
    }

    @Test
    void decoderLayerMatchesOracle() {
        long seed = 10;
        for (boolean batchFirst : new boolean[] {false, true}) {
            for (boolean normFirst : new boolean[] {false, true}) {
                TransformerDecoderLayer l = new TransformerDecoderLayer(D, HEADS, FF, 0.0, TransformerActivation.RELU, EPS,
                        batchFirst, normFirst, new Generator(seed++));
                Map<String, double[]> p = AttentionOracle.randomize(l, seed++);
                Tensor tgt = NnTestUtil.uniform(seed++, -1f, 1f, batchFirst ? new int[] {N, T, D} : new int[] {T, N, D});
                Tensor mem = NnTestUtil.uniform(seed++, -1f, 1f, batchFirst ? new int[] {N, S, D} : new int[] {S, N, D});
                AttentionOracle.Bias causal = (n, h, i, j) -> j > i ? Double.NEGATIVE_INFINITY : 0;
                double[] want = AttentionOracle.decoderLayer(p, "", AttentionOracle.d(tgt), AttentionOracle.d(mem), N, T, S, D,
                        HEADS, FF, EPS, batchFirst, normFirst, causal);
                l.eval();
                Tensor got = l.forward(tgt, mem, AttentionMask.causal(), null, null, null);
                NnTestUtil.assertClose(want, got, 2e-5, batchFirst ? new int[] {N, T, D} : new int[] {T, N, D});
            }
        }
    }

    @Test
    void decoderLayerAndStackNames() {
        TransformerDecoderLayer l = new TransformerDecoderLayer(D, HEADS, FF, 0.1);
        assertEquals(List.of("self_attn.in_proj_weight", "self_attn.in_proj_bias", "self_attn.out_proj.weight",
                "self_attn.out_proj.bias", "multihead_attn.in_proj_weight", "multihead_attn.in_proj_bias",
                "multihead_attn.out_proj.weight", "multihead_attn.out_proj.bias", "linear1.weight", "linear1.bias",
                "linear2.weight", "linear2.bias", "norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias", "norm3.weight",
                "norm3.bias"), List.copyOf(l.stateDict().keySet()));
        TransformerDecoder dec = new TransformerDecoder(l, 2, new LayerNorm(D));
        assertTrue(dec.stateDict().containsKey("layers.1.multihead_attn.out_proj.bias"));
        assertTrue(dec.stateDict().containsKey("norm.weight"));
        assertThrows(UnsupportedOperationException.class, () -> dec.forward(Tensor.zeros(T, N, D)));
    }

    @Test
    void transformerComposesEncoderAndDecoder() {
        Transformer model = new Transformer(D, HEADS, 2, 1, FF, 0.1, TransformerActivation.RELU, EPS, true, false,
                new Generator(20));
        Map<String, Tensor> state = model.stateDict();
        assertTrue(state.containsKey("encoder.layers.1.self_attn.in_proj_weight"));
        assertTrue(state.containsKey("encoder.norm.bias"));
        assertTrue(state.containsKey("decoder.layers.0.multihead_attn.in_proj_weight"));
        assertTrue(state.containsKey("decoder.norm.weight"));
        assertFalse(state.containsKey("decoder.layers.1.norm1.weight"));
        assertFalse(java.util.Arrays.equals(state.get("encoder.layers.0.linear1.weight").toFloatArray(),
                state.get("encoder.layers.1.linear1.weight").toFloatArray()), "layers are initialised independently");
        model.eval();
        Tensor src = NnTestUtil.uniform(21, -1f, 1f, N, S, D);
        Tensor tgt = NnTestUtil.uniform(22, -1f, 1f, N, T, D);
        Tensor out = model.forward(src, tgt, null, AttentionMask.causal(), null, null, null, null);
        assertArrayEquals(new int[] {N, T, D}, out.shape());
        Tensor memory = model.encoder().forward(src);
        Tensor direct = model.decoder().forward(tgt, memory, AttentionMask.causal(), null, null, null);
        assertArrayEquals(direct.toFloatArray(), out.toFloatArray(), 1e-6f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> model.forward(src, Tensor.zeros(N + 1, T, D)));
        assertTrue(e.getMessage().contains("[3, 3, 8]"), e.getMessage());
        assertArrayEquals(F.causalMask(3).toFloatArray(), Transformer.generateSquareSubsequentMask(3).toFloatArray());
    }

    @Test
    void sinusoidalEncodingIsABufferWithTheFormula() {
        PositionalEncoding pe = new PositionalEncoding(6, 10);
        assertTrue(pe.parameters().isEmpty());
        assertEquals(List.of("pe"), List.copyOf(pe.stateDict().keySet()));
        float[] table = pe.stateDict().get("pe").toFloatArray();
        for (int pos = 0; pos < 10; pos++) {
            for (int i = 0; i < 3; i++) {
                double angle = pos / Math.pow(10000, 2.0 * i / 6);
                assertEquals(Math.sin(angle), table[pos * 6 + 2 * i], 1e-6);
                assertEquals(Math.cos(angle), table[pos * 6 + 2 * i + 1], 1e-6);
            }
        }
        Tensor x = NnTestUtil.uniform(30, -1f, 1f, 4, 2, 6);
        Tensor y = pe.forward(x);
        assertEquals(x.get(3, 1, 2) + table[3 * 6 + 2], y.get(3, 1, 2), 1e-6);
        PositionalEncoding bf = new PositionalEncoding(6, 10, 0.0, true);
        Tensor xb = x.permute(1, 0, 2);
        assertEquals(xb.get(1, 3, 5) + table[3 * 6 + 5], bf.forward(xb).get(1, 3, 5), 1e-6);
        assertThrows(IllegalArgumentException.class, () -> pe.forward(Tensor.zeros(11, 2, 6)));
    }

    @Test
    void learnedEncodingIsATrainedParameter() {
        LearnedPositionalEncoding pe = new LearnedPositionalEncoding(6, 10, 0.0, true, new Generator(40));
        assertEquals(List.of("weight"), List.copyOf(pe.namedParameters().keySet()));
        assertArrayEquals(new int[] {10, 6}, pe.weight().shape());
        Tensor x = NnTestUtil.uniform(41, -1f, 1f, 2, 4, 6);
        Tensor y = pe.forward(x);
        assertEquals(x.get(1, 3, 2) + pe.weight().get(3, 2), y.get(1, 3, 2), 1e-6);
        y.sum().backward();
        assertEquals(2f, pe.weight().grad().get(3, 0), 1e-6);
        assertEquals(0f, pe.weight().grad().get(4, 0), 1e-6);
    }
}
