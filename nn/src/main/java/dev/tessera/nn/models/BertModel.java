package dev.tessera.nn.models;

import dev.tessera.DType;
import dev.tessera.Generator;
import dev.tessera.Shape;
import dev.tessera.Tensor;
import dev.tessera.nn.Init;
import dev.tessera.nn.Linear;
import dev.tessera.nn.Module;
import dev.tessera.nn.Random;
import dev.tessera.nn.Sequential;
import java.util.Arrays;
import java.util.Objects;

/**
 * A BERT text encoder whose state dict is Hugging Face's {@code BertModel}'s, so that a {@code
 * bert-base-uncased} export loads by name: {@code embeddings.*} ({@link BertEmbeddings}), {@code
 * encoder.layer.N.*} ({@link BertLayer}: post-LayerNorm, exact GELU, eps from the config, 1e-12 by
 * default) and {@code pooler.dense.*}.
 *
 * <pre>{@code
 * BertModel bert = new BertModel(BertConfig.base());
 * Pretrained.load(bert, Path.of("bert-base-uncased.safetensors"), LoadOptions.defaults());
 * BertEncoding out = bert.eval().encode(ids, mask, null);   // INT32 [B, S]; mask 1 = token, 0 = padding
 * Tensor sentence = out.pooled();                            // [B, 768]
 * }</pre>
 *
 * <p>Token ids come from the user (there is no tokenizer here). The attention mask is applied as
 * Hugging Face does: {@code (1 - mask) * -Float.MAX_VALUE} added to the attention scores of the
 * padded keys. A checkpoint of {@code BertForPreTraining} or {@code BertForSequenceClassification}
 * prefixes these keys with {@code bert.}: load it with {@code KeyMap.builder().stripPrefix("bert.")}
 * or into {@link BertForSequenceClassification}.
 */
public class BertModel extends Module {
    private final BertConfig config;
    private final boolean withPooler;

    /** Hugging Face's {@code BertEncoder}: the layers, under {@code layer.N}. */
    private static final class Encoder extends Module {
        Encoder(BertConfig config, Generator g) {
            Sequential layers = registerModule("layer", new Sequential());
            for (int i = 0; i < config.numLayers(); i++) {
                layers.add(new BertLayer(config, g));
            }
        }

        @Override
        public Tensor forward(Tensor hidden) {
            return forward(hidden, null);
        }

        Tensor forward(Tensor hidden, Tensor maskBias) {
            Tensor x = hidden;
            for (Module layer : ((Sequential) get("layer")).children()) {
                x = ((BertLayer) layer).forward(x, maskBias);
            }
            return x;
        }
    }

    /** Hugging Face's {@code BertPooler}: {@code tanh(dense(hidden[:, 0]))}. */
    private static final class Pooler extends Module {
        Pooler(BertConfig config, Generator g) {
            initLinear(registerModule("dense", new Linear(config.hiddenSize(), config.hiddenSize(), true, g)), g);
        }

        @Override
        public Tensor forward(Tensor hidden) {
            return get("dense").forward(hidden.select(1, 0)).tanh();
        }
    }

    /** Creates the model with a pooler, initial values drawn from a generator of {@link Random}. */
    public BertModel(BertConfig config) {
        this(config, true, Random.newGenerator());
    }

    /**
     * Creates the model for {@code config}, with the pooler ({@code pooler.dense}) if {@code
     * withPooler}, initialised as Hugging Face's {@code _init_weights} does (linear and embedding
     * weights N(0, 0.02^2), biases 0, the padding token's embedding 0, layer norms 1 and 0) from
     * {@code g} (advanced).
     */
    public BertModel(BertConfig config, boolean withPooler, Generator g) {
        this.config = Objects.requireNonNull(config, "BertModel: config");
        this.withPooler = withPooler;
        registerModule("embeddings", new BertEmbeddings(config, g));
        registerModule("encoder", new Encoder(config, g));
        if (withPooler) {
            registerModule("pooler", new Pooler(config, g));
        }
    }

    /** Returns the configuration. */
    public BertConfig config() {
        return config;
    }

    /** Initialises {@code linear} as Hugging Face's BERT does: weight N(0, 0.02^2), bias 0; returns it. */
    static Linear initLinear(Linear linear, Generator g) {
        Init.normal(linear.weight(), 0.0, 0.02, g);
        Init.zeros(linear.bias());
        return linear;
    }

    /**
     * Returns Hugging Face's extended attention mask for {@code attentionMask} {@code [B, S]} (1 =
     * attend, 0 = padding; INT32 or FLOAT32): {@code (1 - mask) * -Float.MAX_VALUE}, shaped {@code
     * [B, 1, 1, S]} to be added to the attention scores; null for a null mask.
     */
    public static Tensor extendedAttentionMask(Tensor attentionMask) {
        if (attentionMask == null) {
            return null;
        }
        int b = attentionMask.size(0);
        int s = attentionMask.size(1);
        return attentionMask.to(DType.FLOAT32).rsub(1f).mul(-Float.MAX_VALUE).reshape(b, 1, 1, s);
    }

    /**
     * Returns the last hidden state {@code [B, S, H]} of {@code inputIds} {@code [B, S]} (INT32),
     * every token attended and of type 0.
     */
    @Override
    public Tensor forward(Tensor inputIds) {
        return encode(inputIds, null, null).lastHiddenState();
    }

    /** The same as {@link #encode}, under Hugging Face's name. */
    public BertEncoding forward(Tensor inputIds, Tensor attentionMask, Tensor tokenTypeIds) {
        return encode(inputIds, attentionMask, tokenTypeIds);
    }

    /**
     * Encodes a batch of token sequences; nothing is modified.
     *
     * @param inputIds      INT32 {@code [B, S]} token ids, each in {@code [0, vocabSize)}
     * @param attentionMask {@code [B, S]} (INT32 or FLOAT32), 1 for tokens and 0 for padding; null
     *                      attends to every position
     * @param tokenTypeIds  INT32 {@code [B, S]} segment ids in {@code [0, typeVocabSize)}; null for all 0
     * @return the last hidden state {@code [B, S, H]} and the pooled output {@code [B, H]}
     * @throws IllegalArgumentException if the ids are not INT32 {@code [B, S]}, the mask or token
     *                                  types are not shaped {@code [B, S]}, {@code S} exceeds {@code
     *                                  maxPositions}, or an id is out of range (naming it)
     */
    public BertEncoding encode(Tensor inputIds, Tensor attentionMask, Tensor tokenTypeIds) {
        Objects.requireNonNull(inputIds, "BertModel.encode: inputIds");
        if (inputIds.dim() != 2 || inputIds.dtype() != DType.INT32) {
            throw new IllegalArgumentException("BertModel.encode: inputIds must be INT32 [batch, sequence], got "
                    + inputIds.dtype() + " " + Shape.str(inputIds.shape()));
        }
        checkLike("attentionMask", attentionMask, inputIds);
        checkLike("tokenTypeIds", tokenTypeIds, inputIds);
        if (tokenTypeIds != null && tokenTypeIds.dtype() != DType.INT32) {
            throw new IllegalArgumentException("BertModel.encode: tokenTypeIds must be INT32, got " + tokenTypeIds.dtype());
        }
        Tensor x = ((BertEmbeddings) get("embeddings")).forward(inputIds, tokenTypeIds);
        Tensor maskBias = extendedAttentionMask(attentionMask == null ? null : attentionMask.to(inputIds.device()));
        Tensor last = ((Encoder) get("encoder")).forward(x, maskBias);
        return new BertEncoding(last, withPooler ? get("pooler").forward(last) : null);
    }

    private static void checkLike(String name, Tensor t, Tensor ids) {
        if (t != null && !Arrays.equals(t.shape(), ids.shape())) {
            throw new IllegalArgumentException("BertModel.encode: " + name + " of shape " + Shape.str(t.shape())
                    + " must match inputIds " + Shape.str(ids.shape()));
        }
    }

    @Override
    protected String extraRepr() {
        return config.toString();
    }
}
