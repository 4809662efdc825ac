package dev.tessera.nn;

import dev.tessera.Tensor;

/** Returns its input unchanged, like {@code torch.nn.Identity}; a placeholder, e.g. for a removed head. */
public class Identity extends Module {
    /** Creates the identity module. */
    public Identity() {
    }

    /** Returns {@code input} itself. */
    @Override
    public Tensor forward(Tensor input) {
        return input;
    }
}
