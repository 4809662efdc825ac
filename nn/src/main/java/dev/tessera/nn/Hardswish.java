package dev.tessera.nn;

import dev.tessera.Tensor;

/**
 * The piecewise swish {@code x * min(max(x + 3, 0), 6) / 6} (0 below -3, {@code x} above 3),
 * elementwise, like {@code torch.nn.Hardswish} (MobileNetV3's activation); see {@link
 * F#hardswish(Tensor)}.
 */
public class Hardswish extends Module {
    /** Creates the activation. */
    public Hardswish() {
    }

    /** Returns {@code input * hardsigmoid(input)} as a new tensor. */
    @Override
    public Tensor forward(Tensor input) {
        return F.hardswish(input);
    }
}
