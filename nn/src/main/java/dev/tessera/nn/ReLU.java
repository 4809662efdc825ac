package dev.tessera.nn;

import dev.tessera.Tensor;

/** The rectifier {@code max(x, 0)}, elementwise, like {@code torch.nn.ReLU}; delegates to {@link Tensor#relu()}. */
public class ReLU extends Module {
    /** Creates the activation. */
    public ReLU() {
    }

    /** Returns {@code max(input, 0)} as a new tensor. */
    @Override
    public Tensor forward(Tensor input) {
        return input.relu();
    }
}
