package dev.tessera.nn;

import dev.tessera.Tensor;

/** The logistic function {@code 1 / (1 + e^-x)}, elementwise; delegates to {@link Tensor#sigmoid()}. */
public class Sigmoid extends Module {
    /** Creates the activation. */
    public Sigmoid() {
    }

    /** Returns {@code 1 / (1 + e^-input)} as a new tensor. */
    @Override
    public Tensor forward(Tensor input) {
        return input.sigmoid();
    }
}
