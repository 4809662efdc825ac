package dev.tessera.nn.models;

import dev.tessera.Tensor;
import dev.tessera.nn.BatchNorm2d;
import dev.tessera.nn.Conv2d;
import dev.tessera.nn.Conv2dNormActivation;
import dev.tessera.nn.Module;
import dev.tessera.nn.ReLU6;
import dev.tessera.nn.Sequential;

/**
 * MobileNetV2's inverted residual block, as torchvision's {@code mobilenetv2.InvertedResidual}:
 * {@code conv} is a {@link Sequential} of an optional 1x1 expansion ({@link Conv2dNormActivation}
 * to {@code round(inp * expandRatio)} channels with ReLU6; absent when the ratio is 1), a 3x3
 * depthwise {@link Conv2dNormActivation} with the stride and ReLU6, a linear 1x1 projection
 * ({@link Conv2d} without bias) and a {@link BatchNorm2d}. The input is added to the output when
 * the stride is 1 and the widths agree.
 */
public class InvertedResidual extends Module {
    private final boolean residual;

    /**
     * Creates the block from {@code inp} to {@code oup} channels.
     *
     * @throws IllegalArgumentException if the stride is not 1 or 2, or a size is not positive
     */
    public InvertedResidual(int inp, int oup, int stride, int expandRatio) {
        if (stride != 1 && stride != 2 || inp < 1 || oup < 1 || expandRatio < 1) {
            throw new IllegalArgumentException("InvertedResidual: needs stride 1 or 2 and positive sizes, got inp=" + inp
                    + ", oup=" + oup + ", stride=" + stride + ", expandRatio=" + expandRatio);
        }
        int hidden = (int) Math.round((double) inp * expandRatio);
        residual = stride == 1 && inp == oup;
        Sequential conv = new Sequential();
        if (expandRatio != 1) {
            conv.add(new Conv2dNormActivation(inp, hidden, 1, 1, 1, BatchNorm2d::new, ReLU6::new));
        }
        conv.add(new Conv2dNormActivation(hidden, hidden, 3, stride, hidden, BatchNorm2d::new, ReLU6::new));
        conv.add(new Conv2d(hidden, oup, 1, 1, 0, 1, 1, false));
        conv.add(new BatchNorm2d(oup));
        registerModule("conv", conv);
    }

    /** Returns whether the input is added to the output (stride 1, equal widths). */
    public boolean residual() {
        return residual;
    }

    /** Returns the block's output for {@code input} {@code [N, inp, H, W]}: a new {@code [N, oup, H/stride, W/stride]} tensor. */
    @Override
    public Tensor forward(Tensor input) {
        Tensor out = get("conv").forward(input);
        return residual ? input.add(out) : out;
    }
}
