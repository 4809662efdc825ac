package dev.tessera.nn.models;

/**
 * The sizes of a {@link BertModel}, named after Hugging Face's {@code BertConfig} fields ({@code
 * vocab_size}, {@code hidden_size}, {@code num_hidden_layers}, {@code num_attention_heads}, {@code
 * intermediate_size}, {@code max_position_embeddings}, {@code type_vocab_size}, {@code
 * layer_norm_eps}, {@code hidden_dropout_prob}, {@code attention_probs_dropout_prob}, {@code
 * pad_token_id}). The activation is always the exact (erf) GELU and the position embeddings are
 * absolute, as in {@code bert-base-uncased}.
 *
 * @param vocabSize        number of token ids (rows of {@code word_embeddings})
 * @param hiddenSize       the model width H
 * @param numLayers        number of encoder layers
 * @param numHeads         attention heads per layer; must divide {@code hiddenSize}
 * @param intermediateSize width of each layer's feed-forward part
 * @param maxPositions     the longest sequence (rows of {@code position_embeddings})
 * @param typeVocabSize    number of token types / segments (rows of {@code token_type_embeddings})
 * @param layerNormEps     the layer norms' epsilon (1e-12 in BERT)
 * @param hiddenDropout    dropout after the embeddings and each residual branch (training only)
 * @param attentionDropout dropout on the attention probabilities (training only)
 * @param padTokenId       the padding token id, whose word embedding gets no gradient
 */
public record BertConfig(int vocabSize, int hiddenSize, int numLayers, int numHeads, int intermediateSize,
                         int maxPositions, int typeVocabSize, double layerNormEps, double hiddenDropout,
                         double attentionDropout, int padTokenId) {

    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException if a size is not positive, {@code numHeads} does not divide
     *                                  {@code hiddenSize}, eps is negative, a dropout is outside {@code
     *                                  [0, 1]} or {@code padTokenId} is not a token id
     */
    public BertConfig {
        if (vocabSize <= 0 || hiddenSize <= 0 || numLayers <= 0 || numHeads <= 0 || intermediateSize <= 0
                || maxPositions <= 0 || typeVocabSize <= 0 || hiddenSize % numHeads != 0) {
            throw new IllegalArgumentException("BertConfig: sizes must be positive and numHeads must divide hiddenSize, got"
                    + " vocabSize=" + vocabSize + ", hiddenSize=" + hiddenSize + ", numLayers=" + numLayers + ", numHeads="
                    + numHeads + ", intermediateSize=" + intermediateSize + ", maxPositions=" + maxPositions
                    + ", typeVocabSize=" + typeVocabSize);
        }
        if (!(layerNormEps >= 0) || !(hiddenDropout >= 0 && hiddenDropout <= 1)
                || !(attentionDropout >= 0 && attentionDropout <= 1)) {
            throw new IllegalArgumentException("BertConfig: needs layerNormEps >= 0 and dropouts in [0, 1], got layerNormEps="
                    + layerNormEps + ", hiddenDropout=" + hiddenDropout + ", attentionDropout=" + attentionDropout);
        }
        if (padTokenId < 0 || padTokenId >= vocabSize) {
            throw new IllegalArgumentException("BertConfig: padTokenId must be in [0, " + vocabSize + "), got " + padTokenId);
        }
    }

    /**
     * A configuration with BERT's defaults for the rest: layer-norm eps 1e-12, dropout 0.1 (hidden
     * and attention), padding token 0.
     */
    public BertConfig(int vocabSize, int hiddenSize, int numLayers, int numHeads, int intermediateSize, int maxPositions,
            int typeVocabSize) {
        this(vocabSize, hiddenSize, numLayers, numHeads, intermediateSize, maxPositions, typeVocabSize, 1e-12, 0.1, 0.1, 0);
    }

    /**
     * Returns {@code bert-base-uncased}'s configuration: vocabulary 30522, hidden 768, 12 layers, 12
     * heads, intermediate 3072, 512 positions, 2 token types (109,482,240 parameters).
     */
    public static BertConfig base() {
        return new BertConfig(30522, 768, 12, 12, 3072, 512, 2);
    }

    /** Returns this configuration with the given hidden and attention dropout probabilities. */
    public BertConfig withDropout(double hidden, double attention) {
        return new BertConfig(vocabSize, hiddenSize, numLayers, numHeads, intermediateSize, maxPositions, typeVocabSize,
                layerNormEps, hidden, attention, padTokenId);
    }

    /** Returns the size of one attention head, {@code hiddenSize / numHeads}. */
    public int headSize() {
        return hiddenSize / numHeads;
    }
}
