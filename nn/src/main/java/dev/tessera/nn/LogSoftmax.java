package dev.tessera.nn;

import dev.tessera.Tensor;

/** The log of the softmax along a dimension, computed stably, like {@code torch.nn.LogSoftmax(dim)}; delegates to {@link Tensor#logSoftmax(int)}. */
public class LogSoftmax extends Module {
    private final int dim;

    /** Creates the activation along {@code dim} (negative counts from the end). */
    public LogSoftmax(int dim) {
        this.dim = dim;
    }

    /** Returns the dimension the log-softmax runs along. */
    public int dim() {
        return dim;
    }

    /** Returns the log-softmax of {@code input} along the dimension as a new tensor. */
    @Override
    public Tensor forward(Tensor input) {
        return input.logSoftmax(dim);
    }

    @Override
    protected String extraRepr() {
        return "dim=" + dim;
    }
}
