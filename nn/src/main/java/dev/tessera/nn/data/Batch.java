package dev.tessera.nn.data;

import dev.tessera.Tensor;
import java.util.Objects;

/**
 * A batch of examples: features stacked along dimension 0, and the matching targets.
 *
 * @param features the inputs, {@code [batch, ...]}
 * @param targets  the targets, {@code [batch]} (INT32 class labels) or {@code [batch, ...]} (FLOAT32)
 */
public record Batch(Tensor features, Tensor targets) {
    /**
     * Creates a batch.
     *
     * @throws NullPointerException if {@code features} or {@code targets} is null
     */
    public Batch {
        Objects.requireNonNull(features, "Batch: features must not be null");
        Objects.requireNonNull(targets, "Batch: targets must not be null");
    }

    /** Returns the number of examples. */
    public int size() {
        return features.size(0);
    }
}
