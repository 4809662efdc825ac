package dev.tessera.nn;

import dev.tessera.Tensor;

/** The activation of a transformer layer's feed-forward block, as PyTorch's {@code activation="relu"|"gelu"}. */
public enum TransformerActivation {
    /** {@code max(x, 0)}, PyTorch's default. */
    RELU,
    /** The exact (erf-based) GELU. */
    GELU;

    /** Returns the activation of {@code x} (a new tensor). */
    public Tensor apply(Tensor x) {
        return this == RELU ? x.relu() : x.gelu();
    }
}
