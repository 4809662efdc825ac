package dev.tessera.nn;

import dev.tessera.Tensor;

/** The hyperbolic tangent, elementwise; delegates to {@link Tensor#tanh()}. */
public class Tanh extends Module {
    /** Creates the activation. */
    public Tanh() {
    }

    /** Returns {@code tanh(input)} as a new tensor. */
    @Override
    public Tensor forward(Tensor input) {
        return input.tanh();
    }
}
