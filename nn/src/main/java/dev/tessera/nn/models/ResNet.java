package dev.tessera.nn.models;

import dev.tessera.Shape;
import dev.tessera.Tensor;
import dev.tessera.nn.AdaptiveAvgPool2d;
import dev.tessera.nn.BatchNorm2d;
import dev.tessera.nn.Conv2d;
import dev.tessera.nn.FanMode;
import dev.tessera.nn.Init;
import dev.tessera.nn.Linear;
import dev.tessera.nn.MaxPool2d;
import dev.tessera.nn.Module;
import dev.tessera.nn.Nonlinearity;
import dev.tessera.nn.ReLU;
import dev.tessera.nn.Sequential;

/**
 * ResNet (He et al. 2015) laid out exactly as torchvision's {@code resnet18} / {@code resnet34}
 * (with {@link BasicBlock}s) and {@code resnet50} / {@code resnet101} / {@code resnet152} (with
 * {@link Bottleneck}s, ResNet v1.5) so that their {@code state_dict}, exported to safetensors,
 * loads with {@link Module#loadStateDict(java.util.Map)}: {@code conv1} (7x7, stride 2, padding 3,
 * no bias), {@code bn1}, {@code relu}, {@code maxpool} (3x3, stride 2, padding 1), {@code layer1}
 * to {@code layer4} (planes 64, 128, 256, 512, times the block's expansion; the first block of
 * layers 2-4 has stride 2, and a {@code downsample} shortcut wherever the stride or width changes),
 * {@code avgpool} (adaptive 1x1) and {@code fc}. Keys such as {@code layer2.0.downsample.1.running_var}
 * and {@code bn1.num_batches_tracked} match torchvision's. Documented input: 224x224 RGB images
 * (any size of at least 32 pixels a side works).
 *
 * <p>Initialised as torchvision does: convolutions with Kaiming-normal (fan out, ReLU), batch norms
 * with weight 1 and bias 0, the linear layer with PyTorch's default.
 */
public class ResNet extends Module {
    /** The residual block a ResNet is made of. */
    public enum Block {
        /** {@link BasicBlock}: two 3x3 convolutions, expansion 1 (ResNet-18/34). */
        BASIC(BasicBlock.EXPANSION),
        /** {@link Bottleneck}: 1x1, 3x3, 1x1 convolutions, expansion 4 (ResNet-50/101/152). */
        BOTTLENECK(Bottleneck.EXPANSION);

        private final int expansion;

        Block(int expansion) {
            this.expansion = expansion;
        }

        /** Returns the block's output channels relative to its {@code planes}. */
        public int expansion() {
            return expansion;
        }
    }

    private final int classes;

    /** Returns a ResNet-18 (basic blocks 2, 2, 2, 2; 11,689,512 parameters with 1000 classes). */
    public static ResNet resnet18(int numClasses) {
        return new ResNet(new int[] {2, 2, 2, 2}, numClasses);
    }

    /** Returns a ResNet-34 (basic blocks 3, 4, 6, 3; 21,797,672 parameters with 1000 classes). */
    public static ResNet resnet34(int numClasses) {
        return new ResNet(new int[] {3, 4, 6, 3}, numClasses);
    }

    /** Returns a ResNet-50, torchvision's {@code resnet50} (bottlenecks 3, 4, 6, 3; 25,557,032 parameters with 1000 classes). */
    public static ResNet resnet50(int numClasses) {
        return new ResNet(Block.BOTTLENECK, new int[] {3, 4, 6, 3}, numClasses);
    }

    /** Returns a ResNet-101, torchvision's {@code resnet101} (bottlenecks 3, 4, 23, 3; 44,549,160 parameters with 1000 classes). */
    public static ResNet resnet101(int numClasses) {
        return new ResNet(Block.BOTTLENECK, new int[] {3, 4, 23, 3}, numClasses);
    }

    /** Returns a ResNet-152, torchvision's {@code resnet152} (bottlenecks 3, 8, 36, 3; 60,192,808 parameters with 1000 classes). */
    public static ResNet resnet152(int numClasses) {
        return new ResNet(Block.BOTTLENECK, new int[] {3, 8, 36, 3}, numClasses);
    }

    /**
     * Creates a ResNet with {@code blocks[i]} basic blocks in layer {@code i + 1} for 3-channel images.
     *
     * @throws IllegalArgumentException if {@code blocks} does not hold 4 positive counts or {@code numClasses < 1}
     */
    public ResNet(int[] blocks, int numClasses) {
        this(Block.BASIC, blocks, numClasses);
    }

    /**
     * Creates a ResNet with {@code blocks[i]} residual blocks of the given kind in layer {@code i + 1}
     * for 3-channel images.
     *
     * @throws IllegalArgumentException if {@code blocks} does not hold 4 positive counts, the block
     *                                  kind is null or {@code numClasses < 1}
     */
    public ResNet(Block block, int[] blocks, int numClasses) {
        if (block == null) {
            throw new IllegalArgumentException("ResNet: the block kind is null");
        }
        if (blocks == null || blocks.length != 4 || numClasses < 1) {
            throw new IllegalArgumentException("ResNet: needs 4 block counts and numClasses >= 1, got "
                    + (blocks == null ? "null" : Shape.str(blocks)) + " and " + numClasses);
        }
        this.classes = numClasses;
        registerModule("conv1", conv(3, 64, 7, 2, 3));
        registerModule("bn1", new BatchNorm2d(64));
        registerModule("relu", new ReLU());
        registerModule("maxpool", new MaxPool2d(3, 2, 1));
        int inplanes = 64;
        int[] widths = {64, 128, 256, 512};
        for (int i = 0; i < 4; i++) {
            if (blocks[i] < 1) {
                throw new IllegalArgumentException("ResNet: block counts must be >= 1, got " + Shape.str(blocks));
            }
            Sequential layer = new Sequential();
            for (int b = 0; b < blocks[i]; b++) {
                int stride = b == 0 && i > 0 ? 2 : 1;
                layer.add(block == Block.BASIC ? new BasicBlock(inplanes, widths[i], stride)
                        : new Bottleneck(inplanes, widths[i], stride));
                inplanes = widths[i] * block.expansion();
            }
            registerModule("layer" + (i + 1), layer);
        }
        registerModule("avgpool", new AdaptiveAvgPool2d(1, 1));
        registerModule("fc", new Linear(512 * block.expansion(), numClasses));
    }

    /** A convolution without bias initialised as torchvision's ResNet does: Kaiming-normal, fan out, ReLU gain. */
    static Conv2d conv(int in, int out, int kernel, int stride, int padding) {
        return conv(in, out, kernel, stride, padding, 1);
    }

    /** A grouped convolution without bias, initialised as {@link #conv(int, int, int, int, int)}. */
    static Conv2d conv(int in, int out, int kernel, int stride, int padding, int groups) {
        Conv2d c = new Conv2d(in, out, kernel, stride, padding, 1, groups, false);
        Init.kaimingNormal(c.weight(), 0.0, FanMode.FAN_OUT, Nonlinearity.RELU);
        return c;
    }

    /** Returns the number of classes (outputs of {@code fc}). */
    public int numClasses() {
        return classes;
    }

    /**
     * Returns the logits {@code [N, numClasses]} for images {@code [N, 3, H, W]} (224x224 for
     * ImageNet weights; any size of at least 32 pixels a side works).
     *
     * @throws IllegalArgumentException if the input is not {@code [N, 3, H, W]}
     */
    @Override
    public Tensor forward(Tensor input) {
        if (input.dim() != 4 || input.size(1) != 3) {
            throw new IllegalArgumentException("ResNet: expected input [N, 3, H, W], got " + Shape.str(input.shape()));
        }
        Tensor x = get("maxpool").forward(get("bn1").forward(get("conv1").forward(input)).relu());
        for (int i = 1; i <= 4; i++) {
            x = get("layer" + i).forward(x);
        }
        x = get("avgpool").forward(x).flatten(1, -1);
        return get("fc").forward(x);
    }
}
