package dev.tessera.nn.models;

import dev.tessera.Tensor;

/**
 * The outputs of {@link BertModel#encode}, Hugging Face's {@code BaseModelOutputWithPooling}.
 *
 * @param lastHiddenState the last layer's output {@code [B, S, H]}
 * @param pooled          {@code tanh(dense(lastHiddenState[:, 0]))} {@code [B, H]}, the pooler's
 *                        output (null for a model built without a pooler)
 */
public record BertEncoding(Tensor lastHiddenState, Tensor pooled) {
}
