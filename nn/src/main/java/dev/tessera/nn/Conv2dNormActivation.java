package dev.tessera.nn;

import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * A convolution followed by a normalisation and an activation, laid out as torchvision's {@code
 * ops.Conv2dNormActivation} (the building block of MobileNet and EfficientNet): a {@link
 * Sequential} of {@code 0}: {@link Conv2d} with "same" padding {@code (kernel - 1) / 2 * dilation}
 * and a bias only when there is no normalisation, {@code 1}: the normalisation (when given),
 * {@code 2}: the activation (when given). State-dict keys are therefore {@code 0.weight}, {@code
 * 1.weight}, {@code 1.bias}, {@code 1.running_mean}, ...
 */
public class Conv2dNormActivation extends Sequential {
    /**
     * Creates the block: a square {@code kernel} convolution from {@code in} to {@code out} channels
     * with {@code stride}, {@code groups} and dilation 1.
     *
     * @param norm       makes the normalisation for {@code out} channels (e.g. {@code BatchNorm2d::new}),
     *                   or null for none (the convolution then has a bias)
     * @param activation makes the activation (e.g. {@code ReLU6::new}), or null for none
     * @throws IllegalArgumentException for sizes {@link Conv2d} refuses
     */
    public Conv2dNormActivation(int in, int out, int kernel, int stride, int groups, IntFunction<? extends Module> norm,
                                Supplier<? extends Module> activation) {
        this(in, out, kernel, stride, groups, 1, norm, activation);
    }

    /**
     * Creates the block with a dilated convolution (padding {@code (kernel - 1) / 2 * dilation});
     * see {@link #Conv2dNormActivation(int, int, int, int, int, IntFunction, Supplier)}.
     */
    public Conv2dNormActivation(int in, int out, int kernel, int stride, int groups, int dilation,
                                IntFunction<? extends Module> norm, Supplier<? extends Module> activation) {
        add(new Conv2d(in, out, kernel, stride, (kernel - 1) / 2 * dilation, dilation, groups, norm == null));
        if (norm != null) {
            add(norm.apply(out));
        }
        if (activation != null) {
            add(activation.get());
        }
    }

    /** Returns the convolution (submodule {@code 0}). */
    public Conv2d conv() {
        return (Conv2d) get(0);
    }
}
