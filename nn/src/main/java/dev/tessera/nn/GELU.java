package dev.tessera.nn;

import dev.tessera.Tensor;

/** The exact (erf-based) Gaussian error linear unit {@code x * Phi(x)}, PyTorch's default; delegates to {@link Tensor#gelu()}. */
public class GELU extends Module {
    /** Creates the activation. */
    public GELU() {
    }

    /** Returns {@code input * Phi(input)} as a new tensor. */
    @Override
    public Tensor forward(Tensor input) {
        return input.gelu();
    }
}
