package dev.tessera.nn.models;

import dev.tessera.Tensor;
import dev.tessera.nn.BatchNorm2d;
import dev.tessera.nn.Conv2d;
import dev.tessera.nn.Module;
import dev.tessera.nn.ReLU;
import dev.tessera.nn.Sequential;

/**
 * The residual block of ResNet-18/34, as torchvision's {@code BasicBlock}: {@code relu(bn2(conv2(
 * relu(bn1(conv1(x))))) + shortcut(x))}, with 3x3 convolutions (the first with the block's stride)
 * and, when the stride or the width changes, a {@code downsample} shortcut {@code Sequential(1x1
 * convolution with the stride, BatchNorm2d)}; otherwise the shortcut is the identity. Submodule
 * names are torchvision's: {@code conv1, bn1, relu, conv2, bn2, downsample}.
 */
public class BasicBlock extends Module {
    /** Output channels relative to {@code planes}: 1 for the basic block. */
    public static final int EXPANSION = 1;

    private final boolean hasDownsample;

    /**
     * Creates a block from {@code inplanes} to {@code planes} channels with the given stride; a
     * downsample shortcut is added when {@code stride != 1} or {@code inplanes != planes}.
     */
    public BasicBlock(int inplanes, int planes, int stride) {
        registerModule("conv1", ResNet.conv(inplanes, planes, 3, stride, 1));
        registerModule("bn1", new BatchNorm2d(planes));
        registerModule("relu", new ReLU());
        registerModule("conv2", ResNet.conv(planes, planes, 3, 1, 1));
        registerModule("bn2", new BatchNorm2d(planes));
        hasDownsample = stride != 1 || inplanes != planes * EXPANSION;
        if (hasDownsample) {
            registerModule("downsample", new Sequential(ResNet.conv(inplanes, planes * EXPANSION, 1, stride, 0),
                    new BatchNorm2d(planes * EXPANSION)));
        }
    }

    /** Returns the block's output for {@code input} {@code [N, inplanes, H, W]}: a new {@code [N, planes, H/stride, W/stride]} tensor. */
    @Override
    public Tensor forward(Tensor input) {
        Tensor out = get("bn1").forward(get("conv1").forward(input)).relu();
        out = get("bn2").forward(get("conv2").forward(out));
        Tensor identity = hasDownsample ? get("downsample").forward(input) : input;
        return out.add(identity).relu();
    }

    /** Returns the first convolution, e.g. to inspect its stride. */
    public Conv2d conv1() {
        return (Conv2d) get("conv1");
    }
}
