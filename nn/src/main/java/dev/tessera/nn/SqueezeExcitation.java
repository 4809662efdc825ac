package dev.tessera.nn;

import dev.tessera.Shape;
import dev.tessera.Tensor;
import java.util.function.Supplier;

/**
 * Squeeze-and-excitation (Hu et al. 2018), laid out as torchvision's {@code
 * ops.SqueezeExcitation}: the input {@code [N, C, H, W]} is multiplied per channel by {@code
 * scaleActivation(fc2(activation(fc1(avgpool(x)))))}, where {@code avgpool} is a global average
 * pool and {@code fc1} ({@code C -> squeeze}) and {@code fc2} ({@code squeeze -> C}) are 1x1
 * convolutions with bias. State-dict keys: {@code fc1.weight}, {@code fc1.bias}, {@code
 * fc2.weight}, {@code fc2.bias}; submodules {@code avgpool, fc1, fc2, activation,
 * scale_activation} (torchvision's names). torchvision's defaults are ReLU and sigmoid; EfficientNet uses SiLU and
 * sigmoid, MobileNetV3 ReLU and {@link Hardsigmoid}.
 */
public class SqueezeExcitation extends Module {
    private final int channels;

    /** Creates the block for {@code inputChannels} with {@code squeezeChannels}, ReLU and sigmoid (torchvision's defaults). */
    public SqueezeExcitation(int inputChannels, int squeezeChannels) {
        this(inputChannels, squeezeChannels, ReLU::new, Sigmoid::new);
    }

    /**
     * Creates the block with the given activations (each supplier is called once).
     *
     * @throws IllegalArgumentException if a channel count is not positive or a supplier is null
     */
    public SqueezeExcitation(int inputChannels, int squeezeChannels, Supplier<? extends Module> activation,
                             Supplier<? extends Module> scaleActivation) {
        if (inputChannels < 1 || squeezeChannels < 1 || activation == null || scaleActivation == null) {
            throw new IllegalArgumentException("SqueezeExcitation: needs positive channels and two activations, got input="
                    + inputChannels + ", squeeze=" + squeezeChannels);
        }
        this.channels = inputChannels;
        registerModule("avgpool", new AdaptiveAvgPool2d(1));
        registerModule("fc1", new Conv2d(inputChannels, squeezeChannels, 1));
        registerModule("fc2", new Conv2d(squeezeChannels, inputChannels, 1));
        registerModule("activation", activation.get());
        registerModule("scale_activation", scaleActivation.get());
    }

    /** Returns the per-channel scale {@code [N, C, 1, 1]} for {@code input} {@code [N, C, H, W]} (a new tensor). */
    public Tensor scale(Tensor input) {
        if (input.dim() != 4 || input.size(1) != channels) {
            throw new IllegalArgumentException("SqueezeExcitation(" + channels + "): expected input [N, " + channels
                    + ", H, W], got " + Shape.str(input.shape()));
        }
        Tensor s = get("avgpool").forward(input);
        s = get("activation").forward(get("fc1").forward(s));
        return get("scale_activation").forward(get("fc2").forward(s));
    }

    /**
     * Returns {@code input * scale(input)}, a new tensor shaped like the input.
     *
     * @throws IllegalArgumentException if the input is not {@code [N, C, H, W]} with the block's channels
     */
    @Override
    public Tensor forward(Tensor input) {
        return input.mul(scale(input));
    }
}
