package dev.tessera.nn.models;

import dev.tessera.Tensor;
import dev.tessera.nn.BatchNorm2d;
import dev.tessera.nn.Conv2d;
import dev.tessera.nn.Module;

/**
 * Inception v3's convolution unit, as torchvision's {@code inception.BasicConv2d}: {@code
 * relu(bn(conv(x)))} with {@code conv} a {@link Conv2d} without bias and {@code bn} a {@link
 * BatchNorm2d} with eps 0.001 (momentum 0.1). State-dict keys: {@code conv.weight}, {@code
 * bn.weight}, {@code bn.bias}, {@code bn.running_mean}, {@code bn.running_var}, {@code
 * bn.num_batches_tracked}.
 */
public class BasicConv2d extends Module {
    /** Creates a square {@code kernel} unit with stride 1 and no padding. */
    public BasicConv2d(int in, int out, int kernel) {
        this(in, out, new int[] {kernel, kernel}, 1, new int[] {0, 0});
    }

    /** Creates a square {@code kernel} unit with a square stride and padding. */
    public BasicConv2d(int in, int out, int kernel, int stride, int padding) {
        this(in, out, new int[] {kernel, kernel}, stride, new int[] {padding, padding});
    }

    /**
     * Creates a unit with a per-axis ({@code {h, w}}) kernel and padding, e.g. Inception's 1x7 and 7x1.
     *
     * @throws IllegalArgumentException for sizes {@link Conv2d} refuses
     */
    public BasicConv2d(int in, int out, int[] kernel, int stride, int[] padding) {
        registerModule("conv", new Conv2d(in, out, kernel, new int[] {stride, stride}, padding, new int[] {1, 1}, 1, false));
        registerModule("bn", new BatchNorm2d(out, 0.001, 0.1));
    }

    /** Returns the convolution. */
    public Conv2d conv() {
        return (Conv2d) get("conv");
    }

    /** Returns {@code relu(bn(conv(input)))}, a new tensor. */
    @Override
    public Tensor forward(Tensor input) {
        return get("bn").forward(get("conv").forward(input)).relu();
    }
}
