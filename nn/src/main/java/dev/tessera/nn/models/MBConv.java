package dev.tessera.nn.models;

import dev.tessera.Tensor;
import dev.tessera.nn.BatchNorm2d;
import dev.tessera.nn.Conv2dNormActivation;
import dev.tessera.nn.Module;
import dev.tessera.nn.Sequential;
import dev.tessera.nn.SiLU;
import dev.tessera.nn.Sigmoid;
import dev.tessera.nn.SqueezeExcitation;
import dev.tessera.nn.StochasticDepth;

/**
 * EfficientNet's mobile inverted bottleneck, as torchvision's {@code efficientnet.MBConv}: {@code
 * block} is a {@link Sequential} of an optional 1x1 expansion ({@link Conv2dNormActivation} with
 * SiLU, absent when the expanded width equals the input width), a depthwise {@code kernel x kernel}
 * {@link Conv2dNormActivation} with the stride and SiLU, a {@link SqueezeExcitation} (squeeze to
 * {@code max(1, in / 4)} channels, SiLU and sigmoid) and a 1x1 projection {@link
 * Conv2dNormActivation} without activation. When the stride is 1 and the widths agree, the block's
 * output goes through {@code stochastic_depth} ({@link StochasticDepth}, row mode) and the input is
 * added to it.
 */
public class MBConv extends Module {
    private final boolean residual;

    /**
     * Creates the block from {@code in} to {@code out} channels; the expanded width is {@code in *
     * expandRatio} rounded to a multiple of 8 as torchvision's {@code adjust_channels} does.
     *
     * @param stochasticDepthProb the drop probability of the residual branch in training mode
     * @throws IllegalArgumentException if the stride is not 1 or 2, or a size is out of range
     */
    public MBConv(int in, int out, int kernel, int stride, double expandRatio, double stochasticDepthProb) {
        if (stride != 1 && stride != 2 || in < 1 || out < 1 || kernel < 1 || !(expandRatio >= 1)) {
            throw new IllegalArgumentException("MBConv: needs stride 1 or 2, positive sizes and expandRatio >= 1, got in=" + in
                    + ", out=" + out + ", kernel=" + kernel + ", stride=" + stride + ", expandRatio=" + expandRatio);
        }
        residual = stride == 1 && in == out;
        int expanded = Channels.makeDivisible(in * expandRatio, 8);
        Sequential block = new Sequential();
        if (expanded != in) {
            block.add(new Conv2dNormActivation(in, expanded, 1, 1, 1, BatchNorm2d::new, SiLU::new));
        }
        block.add(new Conv2dNormActivation(expanded, expanded, kernel, stride, expanded, BatchNorm2d::new, SiLU::new));
        block.add(new SqueezeExcitation(expanded, Math.max(1, in / 4), SiLU::new, Sigmoid::new));
        block.add(new Conv2dNormActivation(expanded, out, 1, 1, 1, BatchNorm2d::new, null));
        registerModule("block", block);
        registerModule("stochastic_depth", new StochasticDepth(stochasticDepthProb, StochasticDepth.Mode.ROW));
    }

    /** Returns whether the input is added to the output (stride 1, equal widths). */
    public boolean residual() {
        return residual;
    }

    /** Returns the block's output for {@code input} {@code [N, in, H, W]}: a new {@code [N, out, H/stride, W/stride]} tensor. */
    @Override
    public Tensor forward(Tensor input) {
        Tensor result = get("block").forward(input);
        return residual ? get("stochastic_depth").forward(result).add(input) : result;
    }
}
