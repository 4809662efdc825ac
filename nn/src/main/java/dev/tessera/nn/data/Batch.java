package dev.tessera.nn.data;

import dev.tessera.Tensor;

/**
 * A batch of examples: features stacked along dimension 0, and the matching targets.
 *
 * @param features the inputs, {@code [batch, ...]}
 * @param targets  the targets, {@code [batch]} (INT32 class labels) or {@code [batch, ...]} (FLOAT32)
 */
public record Batch(Tensor features, Tensor targets) {
    /** Returns the number of examples. */
    public int size() {
        return features.size(0);
    }
}
