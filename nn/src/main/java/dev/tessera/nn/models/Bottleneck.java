package dev.tessera.nn.models;

import dev.tessera.Tensor;
import dev.tessera.nn.BatchNorm2d;
import dev.tessera.nn.Module;
import dev.tessera.nn.ReLU;
import dev.tessera.nn.Sequential;

/**
 * The residual block of ResNet-50/101/152, as torchvision's {@code Bottleneck} (ResNet v1.5: the
 * stride sits on the 3x3 convolution): {@code relu(bn3(conv3(relu(bn2(conv2(relu(bn1(conv1(x))))))))
 * + shortcut(x))} with {@code conv1} 1x1 to {@code width}, {@code conv2} 3x3 with the block's
 * stride and groups, {@code conv3} 1x1 to {@code planes * 4}; when the stride or the width changes
 * the shortcut is {@code downsample = Sequential(1x1 convolution with the stride, BatchNorm2d)}.
 * {@code width = planes * baseWidth / 64 * groups} (64 and 1 for ResNet; ResNeXt and wide ResNets
 * change them). Submodule names are torchvision's: {@code conv1, bn1, conv2, bn2, conv3, bn3, relu,
 * downsample}.
 */
public class Bottleneck extends Module {
    /** Output channels relative to {@code planes}: 4 for the bottleneck. */
    public static final int EXPANSION = 4;

    private final boolean hasDownsample;

    /** Creates a ResNet bottleneck from {@code inplanes} to {@code planes * 4} channels (one group, base width 64). */
    public Bottleneck(int inplanes, int planes, int stride) {
        this(inplanes, planes, stride, 1, 64);
    }

    /**
     * Creates a bottleneck from {@code inplanes} to {@code planes * 4} channels with the given
     * stride, groups and base width; a downsample shortcut is added when {@code stride != 1} or
     * {@code inplanes != planes * 4}.
     *
     * @throws IllegalArgumentException for sizes {@link dev.tessera.nn.Conv2d} refuses
     */
    public Bottleneck(int inplanes, int planes, int stride, int groups, int baseWidth) {
        int width = (int) (planes * (baseWidth / 64.0)) * groups;
        registerModule("conv1", ResNet.conv(inplanes, width, 1, 1, 0, 1));
        registerModule("bn1", new BatchNorm2d(width));
        registerModule("conv2", ResNet.conv(width, width, 3, stride, 1, groups));
        registerModule("bn2", new BatchNorm2d(width));
        registerModule("conv3", ResNet.conv(width, planes * EXPANSION, 1, 1, 0, 1));
        registerModule("bn3", new BatchNorm2d(planes * EXPANSION));
        registerModule("relu", new ReLU());
        hasDownsample = stride != 1 || inplanes != planes * EXPANSION;
        if (hasDownsample) {
            registerModule("downsample", new Sequential(ResNet.conv(inplanes, planes * EXPANSION, 1, stride, 0, 1),
                    new BatchNorm2d(planes * EXPANSION)));
        }
    }

    /** Returns the block's output for {@code input} {@code [N, inplanes, H, W]}: a new {@code [N, 4 planes, H/stride, W/stride]} tensor. */
    @Override
    public Tensor forward(Tensor input) {
        Tensor out = get("bn1").forward(get("conv1").forward(input)).relu();
        out = get("bn2").forward(get("conv2").forward(out)).relu();
        out = get("bn3").forward(get("conv3").forward(out));
        Tensor identity = hasDownsample ? get("downsample").forward(input) : input;
        return out.add(identity).relu();
    }
}
