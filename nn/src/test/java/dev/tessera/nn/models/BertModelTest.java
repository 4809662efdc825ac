package dev.tessera.nn.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.Generator;
import dev.tessera.GradCheck;
import dev.tessera.Tensor;
import dev.tessera.nn.F;
import dev.tessera.nn.transfer.KeyMap;
import dev.tessera.nn.transfer.LoadOptions;
import dev.tessera.nn.transfer.Pretrained;
import dev.tessera.nn.transfer.TransferReport;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * BERT against a plain-PyTorch transcription of Hugging Face's {@code modeling_bert.py} ({@code
 * golden/golden_transformers.py}): the state dict's keys, shapes and order, the last hidden state,
 * pooled output and classifier logits of a tiny configuration with padding, BERT-base's parameter
 * count, and gradients through a layer with a padding mask.
 */
class BertModelTest {
    /** The script's Config: vocabulary 50, hidden 32, 2 layers, 4 heads, intermediate 64, 16 positions, 2 types. */
    static final BertConfig TINY = new BertConfig(50, 32, 2, 4, 64, 16, 2);

    /** The script's inputs: ids (7 b + 3 s + 1) mod 50, row 1 padded after position 3, types 0 then 1. */
    static Tensor[] inputs() {
        int b = 2;
        int s = 7;
        int[] ids = new int[b * s];
        int[] mask = new int[b * s];
        int[] types = new int[b * s];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < s; j++) {
                boolean pad = i == 1 && j >= 4;
                ids[i * s + j] = pad ? 0 : (7 * i + 3 * j + 1) % 50;
                mask[i * s + j] = pad ? 0 : 1;
                types[i * s + j] = j < 3 ? 0 : 1;
            }
        }
        return new Tensor[] {Tensor.ofInts(ids, b, s), Tensor.ofInts(mask, b, s), Tensor.ofInts(types, b, s)};
    }

    @Test
    void stateDictMatchesHuggingFaceNamesShapesAndOrder() throws Exception {
        BertForSequenceClassification model = new BertForSequenceClassification(TINY, 3, new Generator(1));
        assertEquals(GoldenFiles.stateShapes("bert-tiny-state.txt"), GoldenFiles.stateShapes(model.stateDict()));
        Map<String, Tensor> sd = model.bert().stateDict();
        assertTrue(sd.containsKey("encoder.layer.1.attention.self.query.weight"));
        assertTrue(sd.containsKey("pooler.dense.bias"));
        assertFalse(sd.containsKey("embeddings.position_ids"), "position ids are not persistent, as in transformers");
        assertEquals(sd.size(), new BertModel(TINY, true, new Generator(2)).stateDict().size());
        assertEquals(sd.size() - 2, new BertModel(TINY, false, new Generator(2)).stateDict().size());
    }

    @Test
    void bertBaseHasHuggingFaceParameterCount() {
        BertModel base = new BertModel(BertConfig.base(), true, new Generator(3));
        assertEquals(109_482_240L, base.parameterCount());
        Map<String, Tensor> sd = base.stateDict();
        assertEquals(5 + 12 * 16 + 2, sd.size());
        assertArrayEquals(new int[] {30522, 768}, sd.get("embeddings.word_embeddings.weight").shape());
        assertArrayEquals(new int[] {3072, 768}, sd.get("encoder.layer.11.intermediate.dense.weight").shape());
        assertArrayEquals(new int[] {768, 3072}, sd.get("encoder.layer.11.output.dense.weight").shape());
        assertArrayEquals(new float[768], sd.get("embeddings.word_embeddings.weight").select(0, 0).toFloatArray(),
                "the padding token's embedding starts at zero");
    }

    @Test
    void outputsMatchPyTorchWithPadding() throws Exception {
        Map<String, float[]> golden = GoldenFiles.values("transformer-golden.txt");
        BertForSequenceClassification model = GoldenWeights.fill(new BertForSequenceClassification(TINY, 3, new Generator(4)));
        Tensor[] in = inputs();
        try (var ng = Tensor.noGrad()) {
            BertEncoding out = model.bert().encode(in[0], in[1], in[2]);
            assertArrayEquals(new int[] {2, 7, 32}, out.lastHiddenState().shape());
            assertArrayEquals(new int[] {2, 32}, out.pooled().shape());
            GoldenFiles.assertCloseRelative("last hidden state", golden.get("bert_last_hidden"),
                    out.lastHiddenState().toFloatArray(), 1e-4);
            GoldenFiles.assertCloseRelative("pooled", golden.get("bert_pooled"), out.pooled().toFloatArray(), 1e-4);
            GoldenFiles.assertCloseRelative("logits", golden.get("bert_logits"),
                    model.forward(in[0], in[1], in[2]).toFloatArray(), 1e-4);
            GoldenFiles.assertCloseRelative("no mask, type 0", golden.get("bert_last_hidden_nomask"),
                    model.bert().forward(in[0]).toFloatArray(), 1e-4);
            // A FLOAT32 mask is read the same way.
            assertArrayEquals(out.pooled().toFloatArray(),
                    model.bert().encode(in[0], in[1].to(dev.tessera.DType.FLOAT32), in[2]).pooled().toFloatArray(), 0f);
        }
    }

    @Test
    void paddingDoesNotChangeTheRealTokens() {
        BertModel bert = new BertModel(TINY.withDropout(0, 0), true, new Generator(5));
        GoldenWeights.fill(bert);
        Tensor[] in = inputs();
        Tensor padded;
        Tensor alone;
        try (var ng = Tensor.noGrad()) {
            padded = bert.encode(in[0], in[1], in[2]).lastHiddenState().select(0, 1).slice(0, 0, 4);
            alone = bert.encode(in[0].slice(0, 1, 2).slice(1, 0, 4).contiguous(), null,
                    in[2].slice(0, 1, 2).slice(1, 0, 4).contiguous()).lastHiddenState().select(0, 0);
        }
        float[] a = padded.toFloatArray();
        float[] b = alone.toFloatArray();
        for (int i = 0; i < a.length; i++) {
            assertEquals(b[i], a[i], 1e-4, "element " + i);
        }
    }

    @Test
    void layerWithPaddingMaskPassesGradCheck() {
        BertConfig cfg = new BertConfig(10, 8, 1, 2, 12, 8, 2).withDropout(0, 0);
        BertLayer layer = new BertLayer(cfg, new Generator(6));
        GoldenWeights.fill(layer);
        Tensor mask = BertModel.extendedAttentionMask(Tensor.ofInts(new int[] {1, 1, 1, 1, 1, 0}, 2, 3));
        Tensor x = Tensor.randn(new Generator(7), 2, 3, 8);
        GradCheck.assertGradients(t -> layer.forward(t[0], mask), x);
        ParameterGradCheck.assertParameterGradients(layer, () -> layer.forward(x, mask));
    }

    @Test
    void trainingDropsTheProbabilitiesItsDropoutLayerWould() {
        // Two identical layers: one runs the fused op, the other's ops are composed by hand here,
        // each drawing from its own dropout layer's generator, which start in the same state.
        BertConfig cfg = new BertConfig(10, 8, 1, 2, 12, 8, 2).withDropout(0, 0.4);
        BertSelfAttention fused = new BertSelfAttention(cfg, new Generator(6));
        BertSelfAttention composed = new BertSelfAttention(cfg, new Generator(6));
        fused.train();
        composed.train();
        Tensor mask = BertModel.extendedAttentionMask(Tensor.ofInts(new int[] {1, 1, 1, 1, 1, 0}, 2, 3));
        Tensor x = Tensor.randn(new Generator(7), 2, 3, 8);
        Tensor out = fused.forward(x, mask);

        Tensor[] qkv = new Tensor[3];
        String[] names = {"query", "key", "value"};
        for (int i = 0; i < 3; i++) {
            qkv[i] = composed.get(names[i]).forward(x).reshape(2, 3, 2, 4).permute(0, 2, 1, 3);
        }
        Tensor probs = qkv[0].matmul(qkv[1].transpose(-2, -1)).mul((float) (1 / Math.sqrt(4))).add(mask).softmax(-1);
        Tensor dropped = composed.get("dropout").forward(probs);
        Tensor expected = dropped.matmul(qkv[2]).permute(0, 2, 1, 3).reshape(2, 3, 8);
        assertTrue(dropped.eq(0f).sum().item() > 0, "the dropout layer dropped some probabilities");
        float[] want = expected.toFloatArray();
        float[] got = out.toFloatArray();
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], 1e-5f + 1e-5f * Math.abs(want[i]), "element " + i);
        }
    }

    @Test
    void classifierTrainsAndThePaddingEmbeddingStaysFixed() {
        BertForSequenceClassification model = new BertForSequenceClassification(TINY, 3, new Generator(8));
        model.train();
        Tensor[] in = inputs();
        Tensor loss = F.crossEntropy(model.forward(in[0], in[1], in[2]), Tensor.ofInts(new int[] {2, 0}, 2));
        loss.backward();
        Map<String, Tensor> params = model.namedParameters();
        for (Map.Entry<String, Tensor> e : params.entrySet()) {
            assertNotNull(e.getValue().grad(), e.getKey() + " got no gradient");
        }
        Tensor wordGrad = params.get("bert.embeddings.word_embeddings.weight").grad();
        assertArrayEquals(new float[32], wordGrad.select(0, 0).toFloatArray(), "padding id 0 gets no gradient");
        float sum = 0;
        for (float v : wordGrad.select(0, 1).toFloatArray()) {
            sum += Math.abs(v);
        }
        assertTrue(sum > 0, "token id 1 (used at position 0) gets a gradient");
    }

    @Test
    void plainBertExportLoadsIntoTheClassifierWithAPrefix() {
        BertModel source = new BertModel(TINY, true, new Generator(9));
        BertForSequenceClassification target = new BertForSequenceClassification(TINY, 2, new Generator(10));
        TransferReport r = Pretrained.load(target, source.stateDict(),
                LoadOptions.builder().keyMap(KeyMap.builder().addPrefix("bert.").build()).build());
        assertEquals(source.stateDict().size(), r.loaded().size());
        assertEquals(List.of("classifier.weight", "classifier.bias"), r.missing());
    }

    @Test
    void badInputsAreNamed() {
        BertModel bert = new BertModel(TINY, false, new Generator(11));
        assertNull(bert.encode(Tensor.ofInts(new int[] {1, 2}, 1, 2), null, null).pooled());
        IllegalArgumentException dtype = assertThrows(IllegalArgumentException.class,
                () -> bert.encode(Tensor.zeros(1, 2), null, null));
        assertTrue(dtype.getMessage().contains("INT32"), dtype.getMessage());
        IllegalArgumentException mask = assertThrows(IllegalArgumentException.class,
                () -> bert.encode(Tensor.ofInts(new int[] {1, 2}, 1, 2), Tensor.ones(1, 3), null));
        assertTrue(mask.getMessage().contains("attentionMask") && mask.getMessage().contains("[1, 3]"), mask.getMessage());
        IllegalArgumentException longSeq = assertThrows(IllegalArgumentException.class,
                () -> bert.encode(Tensor.ofInts(new int[17], 1, 17), null, null));
        assertTrue(longSeq.getMessage().contains("17") && longSeq.getMessage().contains("16"), longSeq.getMessage());
        IllegalArgumentException id = assertThrows(IllegalArgumentException.class,
                () -> bert.encode(Tensor.ofInts(new int[] {1, 50}, 1, 2), null, null));
        assertTrue(id.getMessage().contains("50"), id.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new BertConfig(10, 30, 1, 4, 8, 8, 2));
    }
}
