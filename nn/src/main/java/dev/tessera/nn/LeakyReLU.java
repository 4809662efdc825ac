package dev.tessera.nn;

import dev.tessera.Tensor;

/** The leaky rectifier {@code x > 0 ? x : alpha * x}, like {@code torch.nn.LeakyReLU}; delegates to {@link Tensor#leakyRelu(float)}. */
public class LeakyReLU extends Module {
    private final float alpha;

    /** Creates the activation with PyTorch's default negative slope 0.01. */
    public LeakyReLU() {
        this(0.01f);
    }

    /** Creates the activation with negative slope {@code alpha}. */
    public LeakyReLU(float alpha) {
        this.alpha = alpha;
    }

    /** Returns the negative slope. */
    public float alpha() {
        return alpha;
    }

    /** Returns {@code input > 0 ? input : alpha * input} as a new tensor. */
    @Override
    public Tensor forward(Tensor input) {
        return input.leakyRelu(alpha);
    }

    @Override
    protected String extraRepr() {
        return "alpha=" + alpha;
    }
}
