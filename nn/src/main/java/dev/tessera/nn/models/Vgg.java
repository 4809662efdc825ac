package dev.tessera.nn.models;

import dev.tessera.Tensor;
import dev.tessera.nn.AdaptiveAvgPool2d;
import dev.tessera.nn.BatchNorm2d;
import dev.tessera.nn.Conv2d;
import dev.tessera.nn.Dropout;
import dev.tessera.nn.Flatten;
import dev.tessera.nn.Linear;
import dev.tessera.nn.MaxPool2d;
import dev.tessera.nn.Module;
import dev.tessera.nn.ReLU;
import dev.tessera.nn.Sequential;

/**
 * A VGG-style network (Simonyan and Zisserman 2014): {@code features}, a stack of 3x3 convolutions
 * (padding 1, each followed by an optional {@link BatchNorm2d} and a ReLU) and 2x2 max pools, then
 * {@code avgpool}, an adaptive average pool to 1x1, and {@code classifier}, a dropout and one
 * linear layer. Works on any input size of at least {@code 2^pools} pixels a side.
 *
 * <p>The layout is given as a configuration like torchvision's: channel counts, with {@link #M}
 * for a max pool. {@link #small(int, int)} is a compact net for 28x28 to 64x64 images.
 */
public class Vgg extends Module {
    /** A max pool in a configuration. */
    public static final int M = -1;

    /**
     * Returns a small VGG with batch norm: {@code 32, 32, M, 64, 64, M, 128, 128, M} (about 290k
     * parameters), for {@code inChannels}-channel images and {@code numClasses} classes.
     */
    public static Vgg small(int numClasses, int inChannels) {
        return new Vgg(new int[] {32, 32, M, 64, 64, M, 128, 128, M}, true, inChannels, numClasses, 0.3);
    }

    /**
     * Creates the network from {@code config} (channel counts, {@link #M} for a 2x2 max pool).
     *
     * @param batchNorm whether each convolution is followed by a {@link BatchNorm2d} (convolutions then have no bias)
     * @param dropout   the dropout probability before the final linear layer
     * @throws IllegalArgumentException if the configuration has no convolution or a bad entry
     */
    public Vgg(int[] config, boolean batchNorm, int inChannels, int numClasses, double dropout) {
        Sequential features = new Sequential();
        int channels = inChannels;
        boolean anyConvolution = false;
        for (int v : config) {
            if (v == M) {
                features.add(new MaxPool2d(2));
            } else if (v > 0) {
                features.add(new Conv2d(channels, v, 3, 1, 1, 1, 1, !batchNorm));
                if (batchNorm) {
                    features.add(new BatchNorm2d(v));
                }
                features.add(new ReLU());
                channels = v;
                anyConvolution = true;
            } else {
                throw new IllegalArgumentException("Vgg: configuration entries must be channel counts > 0 or Vgg.M, got " + v);
            }
        }
        if (!anyConvolution) {
            throw new IllegalArgumentException("Vgg: the configuration has no convolution");
        }
        registerModule("features", features);
        registerModule("avgpool", new AdaptiveAvgPool2d(1, 1));
        registerModule("classifier", new Sequential(new Flatten(), new Dropout(dropout), new Linear(channels, numClasses)));
    }

    /** Returns the logits {@code [N, numClasses]} for {@code input} {@code [N, inChannels, H, W]}. */
    @Override
    public Tensor forward(Tensor input) {
        return get("classifier").forward(get("avgpool").forward(get("features").forward(input)));
    }
}
