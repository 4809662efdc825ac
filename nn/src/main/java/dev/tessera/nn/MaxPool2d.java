package dev.tessera.nn;

import dev.tessera.Shape;
import dev.tessera.Tensor;

/**
 * 2-D max pooling over {@code [N, C, H, W]} inputs, like {@code torch.nn.MaxPool2d}: each output is
 * the largest element of its window; padding counts as -inf. The gradient flows to the maximum (the
 * first one on ties). Computed by {@link Tensor#maxPool2d(int[], int[], int[])}.
 */
public class MaxPool2d extends Module {
    private final int[] kernel;
    private final int[] stride;
    private final int[] padding;
    private final boolean ceilMode;

    /** Pools {@code kernel x kernel} windows with stride {@code kernel} and no padding. */
    public MaxPool2d(int kernel) {
        this(kernel, kernel, 0);
    }

    /** Pools square windows with the given square stride and padding (at most half the kernel). */
    public MaxPool2d(int kernel, int stride, int padding) {
        this(Conv2d.pair(kernel), Conv2d.pair(stride), Conv2d.pair(padding));
    }

    /**
     * Pools windows of {@code kernel} ({@code {h, w}}) with {@code stride} (null: the kernel) and {@code padding}.
     *
     * @throws IllegalArgumentException if an array does not hold 2 values or a value is out of range
     */
    public MaxPool2d(int[] kernel, int[] stride, int[] padding) {
        this(kernel, stride, padding, false);
    }

    /**
     * Pools windows of {@code kernel} ({@code {h, w}}) with {@code stride} (null: the kernel) and
     * {@code padding}; {@code ceilMode} rounds the output size up as PyTorch's {@code ceil_mode}
     * does (a last, partial window is kept when it starts inside the input or its left padding).
     *
     * @throws IllegalArgumentException if an array does not hold 2 values or a value is out of range
     */
    public MaxPool2d(int[] kernel, int[] stride, int[] padding, boolean ceilMode) {
        this.ceilMode = ceilMode;
        this.kernel = PoolArgs.check("MaxPool2d", "kernel", kernel, 1);
        this.stride = stride == null ? this.kernel.clone() : PoolArgs.check("MaxPool2d", "stride", stride, 1);
        this.padding = padding == null ? new int[2] : PoolArgs.check("MaxPool2d", "padding", padding, 0);
        if (2 * this.padding[0] > this.kernel[0] || 2 * this.padding[1] > this.kernel[1]) {
            throw new IllegalArgumentException("MaxPool2d: padding " + Shape.str(this.padding)
                    + " must be at most half the kernel " + Shape.str(this.kernel));
        }
    }

    /** Pools square windows with the given square stride and padding, rounding the output size up when {@code ceilMode}. */
    public MaxPool2d(int kernel, int stride, int padding, boolean ceilMode) {
        this(Conv2d.pair(kernel), Conv2d.pair(stride), Conv2d.pair(padding), ceilMode);
    }

    /** Returns whether the output size is rounded up (PyTorch's {@code ceil_mode}). */
    public boolean ceilMode() {
        return ceilMode;
    }

    /** Returns the max pooling of {@code input} {@code [N, C, H, W]} as a new {@code [N, C, outH, outW]} tensor. */
    @Override
    public Tensor forward(Tensor input) {
        return input.maxPool2d(kernel, stride, padding, ceilMode);
    }

    /** PyTorch's text with Java names, e.g. {@code kernelSize=2, stride=2, padding=0}. */
    @Override
    protected String extraRepr() {
        return "kernelSize=" + PoolArgs.str(kernel) + ", stride=" + PoolArgs.str(stride) + ", padding=" + PoolArgs.str(padding)
                + (ceilMode ? ", ceilMode=true" : "");
    }
}
