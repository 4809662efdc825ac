package dev.tessera.nn;

import dev.tessera.Tensor;

/**
 * The rectifier capped at 6, {@code min(max(x, 0), 6)}, elementwise, like {@code torch.nn.ReLU6}
 * (MobileNetV2's activation); see {@link F#relu6(Tensor)}.
 */
public class ReLU6 extends Module {
    /** Creates the activation. */
    public ReLU6() {
    }

    /** Returns {@code min(max(input, 0), 6)} as a new tensor. */
    @Override
    public Tensor forward(Tensor input) {
        return F.relu6(input);
    }
}
