package dev.tessera.nn.models;

import dev.tessera.Shape;
import dev.tessera.Tensor;
import dev.tessera.nn.AdaptiveAvgPool2d;
import dev.tessera.nn.BatchNorm2d;
import dev.tessera.nn.Conv2dNormActivation;
import dev.tessera.nn.Dropout;
import dev.tessera.nn.Init;
import dev.tessera.nn.Linear;
import dev.tessera.nn.Module;
import dev.tessera.nn.Sequential;
import dev.tessera.nn.SiLU;

/**
 * EfficientNet (Tan and Le 2019), laid out exactly as torchvision's {@code efficientnet_b0}:
 * {@code features} ({@code 0}: a 3x3 stride-2 {@link Conv2dNormActivation} to 32 channels with
 * SiLU; {@code 1}-{@code 7}: stages of {@link MBConv} blocks by the table (expand ratio, kernel,
 * stride, in, out, layers) = (1, 3, 1, 32, 16, 1), (6, 3, 2, 16, 24, 2), (6, 5, 2, 24, 40, 2), (6,
 * 3, 2, 40, 80, 3), (6, 5, 1, 80, 112, 3), (6, 5, 2, 112, 192, 4), (6, 3, 1, 192, 320, 1); {@code
 * 8}: a 1x1 {@link Conv2dNormActivation} to 1280 channels with SiLU), {@code avgpool} (global) and
 * {@code classifier} ({@code 0}: Dropout(0.2), {@code 1}: Linear(1280, numClasses)). The stochastic
 * depth probability grows linearly from 0 to 0.2 over the 16 blocks (block {@code i} gets {@code
 * 0.2 * i / 16}). Batch norms use PyTorch's defaults (eps 1e-5, momentum 0.1), as torchvision's B0.
 * Documented input: 224x224 RGB; any size of at least 32 pixels a side works.
 *
 * <p>Initialised as torchvision does: convolutions Kaiming-normal (fan out) with zero bias, batch
 * norms 1 and 0, the linear layer uniform in {@code +-1 / sqrt(numClasses)} with zero bias.
 */
public class EfficientNet extends Module {
    /** B0's stages: expand ratio, kernel, stride, input channels, output channels, layers. */
    private static final int[][] B0 = {
        {1, 3, 1, 32, 16, 1}, {6, 3, 2, 16, 24, 2}, {6, 5, 2, 24, 40, 2}, {6, 3, 2, 40, 80, 3},
        {6, 5, 1, 80, 112, 3}, {6, 5, 2, 112, 192, 4}, {6, 3, 1, 192, 320, 1}};

    private final int classes;

    /** Returns torchvision's {@code efficientnet_b0(num_classes=numClasses)} (5,288,548 parameters with 1000 classes). */
    public static EfficientNet efficientnetB0(int numClasses) {
        return new EfficientNet(B0, 0.2, 0.2, numClasses);
    }

    /**
     * Creates an EfficientNet from a stage table (rows of expand ratio, kernel, stride, input
     * channels, output channels, layers), the classifier's dropout and the largest stochastic depth
     * probability.
     *
     * @throws IllegalArgumentException if {@code numClasses < 1}, the table is empty or a row is malformed
     */
    private EfficientNet(int[][] stages, double dropout, double stochasticDepthProb, int numClasses) {
        if (numClasses < 1) {
            throw new IllegalArgumentException("EfficientNet: numClasses must be >= 1, got " + numClasses);
        }
        this.classes = numClasses;
        Sequential features = new Sequential(new Conv2dNormActivation(3, stages[0][3], 3, 2, 1, BatchNorm2d::new, SiLU::new));
        int total = 0;
        for (int[] row : stages) {
            total += row[5];
        }
        int blockId = 0;
        for (int[] row : stages) {
            Sequential stage = new Sequential();
            for (int i = 0; i < row[5]; i++) {
                int in = i == 0 ? row[3] : row[4];
                int stride = i == 0 ? row[2] : 1;
                stage.add(new MBConv(in, row[4], row[1], stride, row[0], stochasticDepthProb * blockId / total));
                blockId++;
            }
            features.add(stage);
        }
        int lastIn = stages[stages.length - 1][4];
        int lastOut = 4 * lastIn;
        features.add(new Conv2dNormActivation(lastIn, lastOut, 1, 1, 1, BatchNorm2d::new, SiLU::new));
        registerModule("features", features);
        registerModule("avgpool", new AdaptiveAvgPool2d(1));
        Linear fc = new Linear(lastOut, numClasses);
        registerModule("classifier", new Sequential(new Dropout(dropout), fc));
        Channels.initConvolutionsAndNorms(this);
        double range = 1.0 / Math.sqrt(numClasses);
        Init.uniform(fc.weight(), -range, range);
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
            throw new IllegalArgumentException("EfficientNet: expected input [N, 3, H, W], got " + Shape.str(input.shape()));
        }
        Tensor x = get("avgpool").forward(get("features").forward(input)).flatten(1, -1);
        return get("classifier").forward(x);
    }
}
