package dev.tessera.nn;

import dev.tessera.Tensor;

/** The softmax along a dimension, like {@code torch.nn.Softmax(dim)}; delegates to {@link Tensor#softmax(int)}. */
public class Softmax extends Module {
    private final int dim;

    /** Creates the activation along {@code dim} (negative counts from the end). */
    public Softmax(int dim) {
        this.dim = dim;
    }

    /** Returns the dimension the softmax runs along. */
    public int dim() {
        return dim;
    }

    /** Returns the softmax of {@code input} along the dimension as a new tensor. */
    @Override
    public Tensor forward(Tensor input) {
        return input.softmax(dim);
    }

    @Override
    protected String extraRepr() {
        return "dim=" + dim;
    }
}
