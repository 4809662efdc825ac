package dev.tessera.nn;

import dev.tessera.Shape;
import dev.tessera.Tensor;

/**
 * 2-D average pooling over {@code [N, C, H, W]} inputs, like {@code torch.nn.AvgPool2d}: each
 * output is the mean of its window, with zero padding counted in the divisor ({@code
 * countIncludePad}, the default) or not. Computed by {@link Tensor#avgPool2d(int[], int[], int[], boolean)}.
 */
public class AvgPool2d extends Module {
    private final int[] kernel;
    private final int[] stride;
    private final int[] padding;
    private final boolean countIncludePad;
    private final boolean ceilMode;

    /** Pools {@code kernel x kernel} windows with stride {@code kernel} and no padding. */
    public AvgPool2d(int kernel) {
        this(kernel, kernel, 0);
    }

    /** Pools square windows with the given square stride and padding, counting the padding. */
    public AvgPool2d(int kernel, int stride, int padding) {
        this(Conv2d.pair(kernel), Conv2d.pair(stride), Conv2d.pair(padding), true);
    }

    /**
     * Pools windows of {@code kernel} ({@code {h, w}}) with {@code stride} (null: the kernel) and
     * {@code padding} (at most half the kernel); {@code countIncludePad} divides by the whole window.
     *
     * @throws IllegalArgumentException if an array does not hold 2 values or a value is out of range
     */
    public AvgPool2d(int[] kernel, int[] stride, int[] padding, boolean countIncludePad) {
        this(kernel, stride, padding, countIncludePad, false);
    }

    /**
     * Pools as {@link #AvgPool2d(int[], int[], int[], boolean)}; {@code ceilMode} rounds the output
     * size up as PyTorch's {@code ceil_mode} does (a last, partial window is kept when it starts
     * inside the input or its left padding; its divisor counts only the part inside the padded input).
     *
     * @throws IllegalArgumentException if an array does not hold 2 values or a value is out of range
     */
    public AvgPool2d(int[] kernel, int[] stride, int[] padding, boolean countIncludePad, boolean ceilMode) {
        this.ceilMode = ceilMode;
        this.kernel = PoolArgs.check("AvgPool2d", "kernel", kernel, 1);
        this.stride = stride == null ? this.kernel.clone() : PoolArgs.check("AvgPool2d", "stride", stride, 1);
        this.padding = padding == null ? new int[2] : PoolArgs.check("AvgPool2d", "padding", padding, 0);
        this.countIncludePad = countIncludePad;
        if (2 * this.padding[0] > this.kernel[0] || 2 * this.padding[1] > this.kernel[1]) {
            throw new IllegalArgumentException("AvgPool2d: padding " + Shape.str(this.padding)
                    + " must be at most half the kernel " + Shape.str(this.kernel));
        }
    }

    /** Returns whether the output size is rounded up (PyTorch's {@code ceil_mode}). */
    public boolean ceilMode() {
        return ceilMode;
    }

    /** Returns the average pooling of {@code input} {@code [N, C, H, W]} as a new {@code [N, C, outH, outW]} tensor. */
    @Override
    public Tensor forward(Tensor input) {
        return input.avgPool2d(kernel, stride, padding, countIncludePad, ceilMode);
    }

    /** PyTorch's text with Java names, e.g. {@code kernelSize=2, stride=2, padding=0}. */
    @Override
    protected String extraRepr() {
        return "kernelSize=" + PoolArgs.str(kernel) + ", stride=" + PoolArgs.str(stride) + ", padding=" + PoolArgs.str(padding)
                + (countIncludePad ? "" : ", countIncludePad=false") + (ceilMode ? ", ceilMode=true" : "");
    }
}
