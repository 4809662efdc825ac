package dev.tessera.nn;

import dev.tessera.Tensor;

/**
 * The piecewise-linear sigmoid {@code min(max(x + 3, 0), 6) / 6} (0 below -3, 1 above 3),
 * elementwise, like {@code torch.nn.Hardsigmoid} (MobileNetV3's squeeze-and-excitation gate); see
 * {@link F#hardsigmoid(Tensor)}.
 */
public class Hardsigmoid extends Module {
    /** Creates the activation. */
    public Hardsigmoid() {
    }

    /** Returns {@code relu6(input + 3) / 6} as a new tensor. */
    @Override
    public Tensor forward(Tensor input) {
        return F.hardsigmoid(input);
    }
}
