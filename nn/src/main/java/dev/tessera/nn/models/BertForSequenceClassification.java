package dev.tessera.nn.models;

import dev.tessera.Generator;
import dev.tessera.Tensor;
import dev.tessera.nn.Dropout;
import dev.tessera.nn.Linear;
import dev.tessera.nn.Module;
import dev.tessera.nn.Random;

/**
 * A {@link BertModel} with a classifier on its pooled output, Hugging Face's {@code
 * BertForSequenceClassification}: {@code classifier(dropout(bert.pooled))}. Keys: {@code bert.*}
 * (the encoder's, prefixed) and {@code classifier.weight} {@code [numLabels, H]}, {@code
 * classifier.bias}, so a fine-tuned Hugging Face classifier loads by name, and a plain {@code
 * BertModel} export loads into {@code get("bert")}.
 */
public class BertForSequenceClassification extends Module {
    private final int numLabels;

    /** Creates the model with {@code numLabels} classes, initial values from a generator of {@link Random}. */
    public BertForSequenceClassification(BertConfig config, int numLabels) {
        this(config, numLabels, Random.newGenerator());
    }

    /**
     * Creates the model with {@code numLabels} classes and the config's hidden dropout before the
     * classifier, initialised as Hugging Face does from {@code g} (advanced).
     *
     * @throws IllegalArgumentException if {@code numLabels} is not positive
     */
    public BertForSequenceClassification(BertConfig config, int numLabels, Generator g) {
        if (numLabels <= 0) {
            throw new IllegalArgumentException("BertForSequenceClassification: numLabels must be positive, got " + numLabels);
        }
        this.numLabels = numLabels;
        registerModule("bert", new BertModel(config, true, g));
        registerModule("dropout", new Dropout(config.hiddenDropout(), new Generator(g.nextLong())));
        registerModule("classifier", BertModel.initLinear(new Linear(config.hiddenSize(), numLabels, true, g), g));
    }

    /** Returns the encoder. */
    public BertModel bert() {
        return (BertModel) get("bert");
    }

    /** Returns the number of classes. */
    public int numLabels() {
        return numLabels;
    }

    /** Returns the logits {@code [B, numLabels]} of {@code inputIds} {@code [B, S]}, every token attended, type 0. */
    @Override
    public Tensor forward(Tensor inputIds) {
        return forward(inputIds, null, null);
    }

    /**
     * Returns the logits {@code [B, numLabels]} (a new tensor); the arguments are as for {@link
     * BertModel#encode}.
     *
     * @throws IllegalArgumentException as {@link BertModel#encode}
     */
    public Tensor forward(Tensor inputIds, Tensor attentionMask, Tensor tokenTypeIds) {
        Tensor pooled = bert().encode(inputIds, attentionMask, tokenTypeIds).pooled();
        return get("classifier").forward(get("dropout").forward(pooled));
    }
}
