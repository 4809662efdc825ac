package dev.tessera.nn;

import dev.tessera.Tensor;

/**
 * The sigmoid-weighted linear unit (swish) {@code x * sigmoid(x)}, elementwise, like {@code
 * torch.nn.SiLU} (EfficientNet's activation); see {@link F#silu(Tensor)}.
 */
public class SiLU extends Module {
    /** Creates the activation. */
    public SiLU() {
    }

    /** Returns {@code input * sigmoid(input)} as a new tensor. */
    @Override
    public Tensor forward(Tensor input) {
        return F.silu(input);
    }
}
