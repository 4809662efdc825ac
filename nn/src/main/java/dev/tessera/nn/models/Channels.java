package dev.tessera.nn.models;

import dev.tessera.nn.BatchNorm;
import dev.tessera.nn.Conv2d;
import dev.tessera.nn.FanMode;
import dev.tessera.nn.Init;
import dev.tessera.nn.Module;
import dev.tessera.nn.Nonlinearity;

/** Channel rounding and initialisation shared by the torchvision-style models. */
final class Channels {
    private Channels() {
    }

    /**
     * torchvision's {@code _make_divisible(v, divisor)}: {@code v} rounded to the nearest multiple
     * of {@code divisor} (at least {@code divisor}), one multiple more if that loses over 10%.
     */
    static int makeDivisible(double v, int divisor) {
        int rounded = Math.max(divisor, (int) (v + divisor / 2.0) / divisor * divisor);
        return rounded < 0.9 * v ? rounded + divisor : rounded;
    }

    /**
     * The initialisation of torchvision's MobileNet and EfficientNet for every convolution and
     * batch norm in {@code model}: convolution weights Kaiming-normal (fan out), biases zero; batch
     * norms weight 1, bias 0. Modifies the parameters in place.
     */
    static void initConvolutionsAndNorms(Module model) {
        for (Module m : model.modules()) {
            if (m instanceof Conv2d c) {
                Init.kaimingNormal(c.weight(), 0.0, FanMode.FAN_OUT, Nonlinearity.RELU);
                if (c.bias() != null) {
                    Init.zeros(c.bias());
                }
            } else if (m instanceof BatchNorm b && b.weight() != null) {
                Init.ones(b.weight());
                Init.zeros(b.bias());
            }
        }
    }
}
