package dev.tessera.nn;

import dev.tessera.Tensor;

/** The exponential linear unit {@code x > 0 ? x : alpha * (e^x - 1)}, like {@code torch.nn.ELU}; delegates to {@link Tensor#elu(float)}. */
public class ELU extends Module {
    private final float alpha;

    /** Creates the activation with PyTorch's default alpha 1.0. */
    public ELU() {
        this(1.0f);
    }

    /** Creates the activation with the given alpha. */
    public ELU(float alpha) {
        this.alpha = alpha;
    }

    /** Returns alpha. */
    public float alpha() {
        return alpha;
    }

    /** Returns {@code input > 0 ? input : alpha * (e^input - 1)} as a new tensor. */
    @Override
    public Tensor forward(Tensor input) {
        return input.elu(alpha);
    }

    @Override
    protected String extraRepr() {
        return "alpha=" + alpha;
    }
}
