package dev.tessera.nn.models;

import dev.tessera.Generator;
import dev.tessera.Tensor;
import dev.tessera.nn.GELU;
import dev.tessera.nn.Linear;
import dev.tessera.nn.Module;

/**
 * One encoder layer of a {@link BertModel}, Hugging Face's {@code BertLayer}, post-norm:
 * {@code a = LayerNorm(attention(x) + x)}, {@code LayerNorm(dense(gelu(dense(a))) + a)}. Keys:
 * {@code attention.self.query/key/value.*}, {@code attention.output.dense.*}, {@code
 * attention.output.LayerNorm.*}, {@code intermediate.dense.*}, {@code output.dense.*}, {@code
 * output.LayerNorm.*}.
 */
public final class BertLayer extends Module {
    /** Hugging Face's {@code BertAttention}: {@code self} then {@code output}. */
    private static final class Attention extends Module {
        Attention(BertConfig config, Generator g) {
            registerModule("self", new BertSelfAttention(config, g));
            registerModule("output", new BertResidual(config.hiddenSize(), config, g));
        }

        @Override
        public Tensor forward(Tensor x) {
            return forward(x, null);
        }

        Tensor forward(Tensor x, Tensor maskBias) {
            return ((BertResidual) get("output")).forward(((BertSelfAttention) get("self")).forward(x, maskBias), x);
        }
    }

    /** Hugging Face's {@code BertIntermediate}: {@code gelu(dense(x))}. */
    private static final class Intermediate extends Module {
        Intermediate(BertConfig config, Generator g) {
            registerModule("dense", BertModel.initLinear(new Linear(config.hiddenSize(), config.intermediateSize(), true, g),
                    g));
            registerModule("intermediate_act_fn", new GELU());
        }

        @Override
        public Tensor forward(Tensor x) {
            return get("intermediate_act_fn").forward(get("dense").forward(x));
        }
    }

    /** Creates a layer for {@code config}, initialised as Hugging Face does from {@code g} (advanced). */
    public BertLayer(BertConfig config, Generator g) {
        registerModule("attention", new Attention(config, g));
        registerModule("intermediate", new Intermediate(config, g));
        registerModule("output", new BertResidual(config.intermediateSize(), config, g));
    }

    /** Returns the layer's output for {@code hidden} {@code [B, S, H]} with every position attended. */
    @Override
    public Tensor forward(Tensor hidden) {
        return forward(hidden, null);
    }

    /**
     * Returns the layer's output {@code [B, S, H]} (a new tensor) for {@code hidden} {@code [B, S,
     * H]} and the additive mask {@code maskBias} {@code [B, 1, 1, S]} from {@link
     * BertModel#extendedAttentionMask} (null: attend everywhere).
     */
    public Tensor forward(Tensor hidden, Tensor maskBias) {
        Tensor a = ((Attention) get("attention")).forward(hidden, maskBias);
        return ((BertResidual) get("output")).forward(get("intermediate").forward(a), a);
    }
}
