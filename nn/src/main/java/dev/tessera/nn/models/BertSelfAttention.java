package dev.tessera.nn.models;

import dev.tessera.FusedAttention;
import dev.tessera.Generator;
import dev.tessera.Tensor;
import dev.tessera.nn.Dropout;
import dev.tessera.nn.Linear;
import dev.tessera.nn.Module;

/**
 * Multi-head self-attention as Hugging Face's {@code BertSelfAttention}: separate {@code query},
 * {@code key} and {@code value} {@link Linear} layers (keys {@code query.weight}, ...), scores
 * {@code q k^T / sqrt(headSize) + mask}, softmax, dropout on the probabilities, then the heads
 * joined back to {@code [B, S, H]}. The mask is Hugging Face's additive one ({@link
 * BertModel#extendedAttentionMask}): 0 where a key may be attended, the most negative float at
 * padding, so a sequence that is all padding attends uniformly, as there. Scores, mask, softmax,
 * dropout and the product with the values run as one {@link FusedAttention} op, unless the mask
 * requires a gradient.
 */
final class BertSelfAttention extends Module {
    private final int numHeads;
    private final int headSize;

    BertSelfAttention(BertConfig config, Generator g) {
        this.numHeads = config.numHeads();
        this.headSize = config.headSize();
        int h = config.hiddenSize();
        for (String name : new String[] {"query", "key", "value"}) {
            BertModel.initLinear(registerModule(name, new Linear(h, h, true, g)), g);
        }
        registerModule("dropout", new Dropout(config.attentionDropout(), new Generator(g.nextLong())));
    }

    @Override
    public Tensor forward(Tensor hidden) {
        return forward(hidden, null);
    }

    /**
     * Returns the attention output {@code [B, S, H]} of {@code hidden} {@code [B, S, H]} with the
     * additive {@code maskBias} {@code [B, 1, 1, S]} (null: every key may be attended).
     */
    Tensor forward(Tensor hidden, Tensor maskBias) {
        int b = hidden.size(0);
        int s = hidden.size(1);
        Tensor q = heads(get("query").forward(hidden), b, s);
        Tensor k = heads(get("key").forward(hidden), b, s);
        Tensor v = heads(get("value").forward(hidden), b, s);
        Dropout dropout = (Dropout) get("dropout");
        float p = isTraining() ? (float) dropout.p() : 0f;
        float scale = (float) (1.0 / Math.sqrt(headSize));
        Tensor context;
        if (maskBias == null || !maskBias.requiresGrad()) {
            // One fused op: the mask as a bias broadcast over heads and queries, the dropout drawn
            // inside from the dropout layer's generator (the probabilities it would drop).
            context = FusedAttention.compute(q, k, v, scale, maskBias, p, dropout.generator());
        } else {
            Tensor scores = q.matmul(k.transpose(-2, -1)).mul(scale).add(maskBias);
            context = dropout.forward(scores.softmax(-1)).matmul(v);
        }
        return context.permute(0, 2, 1, 3).reshape(b, s, numHeads * headSize);
    }

    /** {@code [B, S, H]} to {@code [B, heads, S, headSize]}, a view. */
    private Tensor heads(Tensor x, int b, int s) {
        return x.reshape(b, s, numHeads, headSize).permute(0, 2, 1, 3);
    }
}
