package dev.tessera.nn;

import dev.tessera.Tensor;

/**
 * Adaptive average pooling of {@code [N, C, H, W]} inputs to a fixed {@code [N, C, outH, outW]},
 * like {@code torch.nn.AdaptiveAvgPool2d}: output row {@code i} averages input rows {@code
 * floor(i*H/outH)} to {@code ceil((i+1)*H/outH) - 1}, likewise columns, so any input size works.
 * {@code AdaptiveAvgPool2d(1, 1)} is global average pooling keeping {@code [N, C, 1, 1]}.
 */
public class AdaptiveAvgPool2d extends Module {
    private final int outH;
    private final int outW;

    /** Pools to {@code size x size}. */
    public AdaptiveAvgPool2d(int size) {
        this(size, size);
    }

    /**
     * Pools to {@code outH x outW}.
     *
     * @throws IllegalArgumentException if a size is below 1
     */
    public AdaptiveAvgPool2d(int outH, int outW) {
        if (outH < 1 || outW < 1) {
            throw new IllegalArgumentException("AdaptiveAvgPool2d: output size must be >= 1, got " + outH + "x" + outW);
        }
        this.outH = outH;
        this.outW = outW;
    }

    /** Returns the pooled {@code input} as a new {@code [N, C, outH, outW]} tensor. */
    @Override
    public Tensor forward(Tensor input) {
        return input.adaptiveAvgPool2d(outH, outW);
    }

    /** PyTorch's text with Java names: {@code outputSize=(1, 1)}. */
    @Override
    protected String extraRepr() {
        return "outputSize=(" + outH + ", " + outW + ")";
    }
}
