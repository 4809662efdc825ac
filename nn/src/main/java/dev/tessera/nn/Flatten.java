package dev.tessera.nn;

import dev.tessera.Tensor;

/**
 * Merges dimensions {@code startDim..endDim} of its input into one, like {@code torch.nn.Flatten};
 * by default every dimension but the batch dimension: {@code [N, C, H, W] -> [N, C*H*W]}.
 */
public class Flatten extends Module {
    private final int startDim;
    private final int endDim;

    /** Flattens dimensions 1 to -1 (all but the first). */
    public Flatten() {
        this(1, -1);
    }

    /** Flattens dimensions {@code startDim} to {@code endDim} (inclusive; negative counts from the end). */
    public Flatten(int startDim, int endDim) {
        this.startDim = startDim;
        this.endDim = endDim;
    }

    /**
     * Returns the input with the dimensions merged (a view when possible).
     *
     * @throws IllegalArgumentException if the dimensions are out of range for the input
     */
    @Override
    public Tensor forward(Tensor input) {
        return input.flatten(startDim, endDim);
    }

    @Override
    protected String extraRepr() {
        return "startDim=" + startDim + ", endDim=" + endDim;
    }
}
