package dev.tessera.nn.models;

import dev.tessera.Tensor;
import dev.tessera.nn.AdaptiveAvgPool2d;
import dev.tessera.nn.BatchNorm2d;
import dev.tessera.nn.Conv2d;
import dev.tessera.nn.Dropout;
import dev.tessera.nn.FanMode;
import dev.tessera.nn.Flatten;
import dev.tessera.nn.Init;
import dev.tessera.nn.Linear;
import dev.tessera.nn.MaxPool2d;
import dev.tessera.nn.Module;
import dev.tessera.nn.Nonlinearity;
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
 *
 * <p>{@link #vgg16(int)} and {@link #vgg16Bn(int)} are torchvision's {@code vgg16} and {@code
 * vgg16_bn}, with the same state-dict keys and shapes: {@code features} (3x3 convolutions with
 * bias, padding 1, each followed by a BatchNorm2d in the {@code _bn} variant and a ReLU; 2x2 max
 * pools), {@code avgpool} (adaptive 7x7) and {@code classifier} ({@code 0}: Linear(25088, 4096),
 * ReLU, Dropout(0.5), {@code 3}: Linear(4096, 4096), ReLU, Dropout(0.5), {@code 6}: Linear(4096,
 * numClasses)). Documented input: 224x224 RGB; any size of at least 32 pixels a side works (the
 * adaptive pool brings every size to 7x7).
 */
public class Vgg extends Module {
    /** A max pool in a configuration. */
    public static final int M = -1;

    /** torchvision's configuration "D" (VGG-16): 13 convolutions and 5 max pools. */
    private static final int[] VGG16 = {64, 64, M, 128, 128, M, 256, 256, 256, M, 512, 512, 512, M, 512, 512, 512, M};

    /** Returns torchvision's {@code vgg16} (138,357,544 parameters with 1000 classes). */
    public static Vgg vgg16(int numClasses) {
        return new Vgg(VGG16, false, numClasses);
    }

    /** Returns torchvision's {@code vgg16_bn} (138,365,992 parameters with 1000 classes). */
    public static Vgg vgg16Bn(int numClasses) {
        return new Vgg(VGG16, true, numClasses);
    }

    /**
     * torchvision's VGG for 3-channel images with dropout 0.5, initialised as torchvision does:
     * convolutions Kaiming-normal (fan out, ReLU) with zero bias, batch norms 1 and 0, linear
     * layers N(0, 0.01) with zero bias.
     */
    private Vgg(int[] config, boolean batchNorm, int numClasses) {
        if (numClasses < 1) {
            throw new IllegalArgumentException("Vgg: numClasses must be >= 1, got " + numClasses);
        }
        Sequential features = new Sequential();
        int channels = 3;
        for (int v : config) {
            if (v == M) {
                features.add(new MaxPool2d(2));
                continue;
            }
            Conv2d conv = new Conv2d(channels, v, 3, 1, 1);
            Init.kaimingNormal(conv.weight(), 0.0, FanMode.FAN_OUT, Nonlinearity.RELU);
            Init.zeros(conv.bias());
            features.add(conv);
            if (batchNorm) {
                features.add(new BatchNorm2d(v));
            }
            features.add(new ReLU());
            channels = v;
        }
        registerModule("features", features);
        registerModule("avgpool", new AdaptiveAvgPool2d(7, 7));
        Sequential classifier = new Sequential(linear(channels * 7 * 7, 4096), new ReLU(), new Dropout(0.5),
                linear(4096, 4096), new ReLU(), new Dropout(0.5), linear(4096, numClasses));
        registerModule("classifier", classifier);
    }

    private static Linear linear(int in, int out) {
        Linear l = new Linear(in, out);
        Init.normal(l.weight(), 0.0, 0.01);
        Init.zeros(l.bias());
        return l;
    }

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
        // torchvision flattens between the pool and the classifier; the compact layout's classifier starts with a Flatten.
        return get("classifier").forward(get("avgpool").forward(get("features").forward(input)).flatten(1, -1));
    }
}
