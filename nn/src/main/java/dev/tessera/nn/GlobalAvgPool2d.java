package dev.tessera.nn;

import dev.tessera.Tensor;

/**
 * Global average pooling, as Keras' {@code GlobalAveragePooling2D}: the mean of each channel plane,
 * {@code [N, C, H, W] -> [N, C]}, ready for a {@link Linear} head. (Use {@link
 * AdaptiveAvgPool2d}{@code (1, 1)} to keep {@code [N, C, 1, 1]}, as torchvision models do.)
 */
public class GlobalAvgPool2d extends Module {
    /** Creates the layer. */
    public GlobalAvgPool2d() {
    }

    /** Returns the channel means of {@code input} {@code [N, C, H, W]} as a new {@code [N, C]} tensor. */
    @Override
    public Tensor forward(Tensor input) {
        Tensor y = input.globalAvgPool2d();
        return y.reshape(y.size(0), y.size(1));
    }
}
