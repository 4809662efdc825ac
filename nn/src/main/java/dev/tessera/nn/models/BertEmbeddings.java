package dev.tessera.nn.models;

import dev.tessera.Generator;
import dev.tessera.Tensor;
import dev.tessera.nn.Dropout;
import dev.tessera.nn.Embedding;
import dev.tessera.nn.Init;
import dev.tessera.nn.LayerNorm;
import dev.tessera.nn.Module;

/**
 * The input embeddings of a {@link BertModel}, Hugging Face's {@code BertEmbeddings}: {@code
 * LayerNorm(word_embeddings(ids) + token_type_embeddings(types) + position_embeddings(0..S-1))},
 * then dropout. Keys: {@code word_embeddings.weight} (its {@code padTokenId} row gets no gradient),
 * {@code position_embeddings.weight}, {@code token_type_embeddings.weight}, {@code LayerNorm.weight},
 * {@code LayerNorm.bias}. Recent versions of Hugging Face's transformers keep {@code position_ids}
 * and {@code token_type_ids} as non-persistent buffers, absent from their state dicts; so does this
 * class (older exports that still hold {@code embeddings.position_ids} report it as unexpected).
 */
public final class BertEmbeddings extends Module {
    private final int maxPositions;

    /**
     * Creates the embeddings for {@code config}, initialised as Hugging Face does: N(0, 0.02^2) with
     * the padding row zero, layer norm weight 1 and bias 0; draws from {@code g} (advanced).
     */
    public BertEmbeddings(BertConfig config, Generator g) {
        this.maxPositions = config.maxPositions();
        int h = config.hiddenSize();
        Embedding words = registerModule("word_embeddings", new Embedding(config.vocabSize(), h, config.padTokenId(), g));
        Init.normal(words.weight(), 0.0, 0.02, g);
        try (var ng = Tensor.noGrad()) {
            words.weight().select(0, config.padTokenId()).fill(0f);
        }
        Init.normal(registerModule("position_embeddings", new Embedding(config.maxPositions(), h, g)).weight(), 0.0, 0.02, g);
        Init.normal(registerModule("token_type_embeddings", new Embedding(config.typeVocabSize(), h, g)).weight(), 0.0,
                0.02, g);
        registerModule("LayerNorm", new LayerNorm(new int[] {h}, config.layerNormEps(), true));
        registerModule("dropout", new Dropout(config.hiddenDropout(), new Generator(g.nextLong())));
    }

    /** Returns the embeddings of {@code inputIds} {@code [B, S]} with token type 0 everywhere. */
    @Override
    public Tensor forward(Tensor inputIds) {
        return forward(inputIds, null);
    }

    /**
     * Returns the embeddings {@code [B, S, H]} (a new tensor) of {@code inputIds} and {@code
     * tokenTypeIds} (INT32 {@code [B, S]}; null for all zeros), with positions {@code 0..S-1}.
     *
     * @throws IllegalArgumentException if {@code S} exceeds the number of positions, or an id is out
     *                                  of range (naming it)
     */
    public Tensor forward(Tensor inputIds, Tensor tokenTypeIds) {
        int s = inputIds.size(-1);
        if (s > maxPositions) {
            throw new IllegalArgumentException("BertEmbeddings: sequence length " + s + " exceeds the " + maxPositions
                    + " position embeddings");
        }
        Tensor types = tokenTypeIds != null ? tokenTypeIds : Tensor.ofInts(inputIds.device(), new int[s], s);
        int[] positions = new int[s];
        for (int i = 0; i < s; i++) {
            positions[i] = i;
        }
        Tensor x = get("word_embeddings").forward(inputIds).add(get("token_type_embeddings").forward(types));
        x = x.add(get("position_embeddings").forward(Tensor.ofInts(inputIds.device(), positions, s)));
        return get("dropout").forward(get("LayerNorm").forward(x));
    }
}
