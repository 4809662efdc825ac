package dev.tessera.nn.models;

import dev.tessera.Shape;
import dev.tessera.Tensor;
import dev.tessera.nn.BatchNorm2d;
import dev.tessera.nn.Conv2dNormActivation;
import dev.tessera.nn.Dropout;
import dev.tessera.nn.Init;
import dev.tessera.nn.Linear;
import dev.tessera.nn.Module;
import dev.tessera.nn.ReLU6;
import dev.tessera.nn.Sequential;

/**
 * MobileNetV2 (Sandler et al. 2018), laid out exactly as torchvision's {@code mobilenet_v2}:
 * {@code features} ({@code 0}: a 3x3 stride-2 {@link Conv2dNormActivation} to 32 channels with
 * ReLU6; {@code 1}-{@code 17}: {@link InvertedResidual} blocks by the table {@code (t, c, n, s)} =
 * (1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6,
 * 320, 1, 1); {@code 18}: a 1x1 {@link Conv2dNormActivation} to 1280 channels with ReLU6), a global
 * average pool and {@code classifier} ({@code 0}: Dropout(0.2), {@code 1}: Linear(1280,
 * numClasses)). Channel counts are scaled by the width multiplier and rounded to multiples of 8 as
 * torchvision does. Documented input: 224x224 RGB; any size of at least 32 pixels a side works.
 *
 * <p>Initialised as torchvision does: convolutions Kaiming-normal (fan out) with zero bias, batch
 * norms 1 and 0, the linear layer N(0, 0.01) with zero bias.
 */
public class MobileNet extends Module {
    private static final int[][] SETTING = {
        {1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};

    private final int classes;

    /** Returns torchvision's {@code mobilenet_v2(num_classes=numClasses)} (3,504,872 parameters with 1000 classes). */
    public static MobileNet mobilenetV2(int numClasses) {
        return new MobileNet(numClasses, 1.0);
    }

    /** Returns torchvision's {@code mobilenet_v2(num_classes=numClasses, width_mult=widthMult)}. */
    public static MobileNet mobilenetV2(int numClasses, double widthMult) {
        return new MobileNet(numClasses, widthMult);
    }

    /**
     * Creates a MobileNetV2 with the width multiplier {@code widthMult} (1 for the standard model).
     *
     * @throws IllegalArgumentException if {@code numClasses < 1} or {@code widthMult} is not positive
     */
    public MobileNet(int numClasses, double widthMult) {
        if (numClasses < 1 || !(widthMult > 0)) {
            throw new IllegalArgumentException("MobileNet: needs numClasses >= 1 and widthMult > 0, got " + numClasses
                    + " and " + widthMult);
        }
        this.classes = numClasses;
        int input = Channels.makeDivisible(32 * widthMult, 8);
        int last = Channels.makeDivisible(1280 * Math.max(1.0, widthMult), 8);
        Sequential features = new Sequential(new Conv2dNormActivation(3, input, 3, 2, 1, BatchNorm2d::new, ReLU6::new));
        for (int[] row : SETTING) {
            int output = Channels.makeDivisible(row[1] * widthMult, 8);
            for (int i = 0; i < row[2]; i++) {
                features.add(new InvertedResidual(input, output, i == 0 ? row[3] : 1, row[0]));
                input = output;
            }
        }
        features.add(new Conv2dNormActivation(input, last, 1, 1, 1, BatchNorm2d::new, ReLU6::new));
        registerModule("features", features);
        Linear fc = new Linear(last, numClasses);
        registerModule("classifier", new Sequential(new Dropout(0.2), fc));
        Channels.initConvolutionsAndNorms(this);
        Init.normal(fc.weight(), 0.0, 0.01);
        Init.zeros(fc.bias());
    }

    /** Returns the number of classes (outputs of the classifier). */
    public int numClasses() {
        return classes;
    }

    /**
     * Returns the logits {@code [N, numClasses]} for images {@code [N, 3, H, W]}.
     *
     * @throws IllegalArgumentException if the input is not {@code [N, 3, H, W]}
     */
    @Override
    public Tensor forward(Tensor input) {
        if (input.dim() != 4 || input.size(1) != 3) {
            throw new IllegalArgumentException("MobileNet: expected input [N, 3, H, W], got " + Shape.str(input.shape()));
        }
        Tensor x = get("features").forward(input).adaptiveAvgPool2d(1, 1).flatten(1, -1);
        return get("classifier").forward(x);
    }
}
