package dev.tessera.nn.models;

import dev.tessera.Tensor;
import dev.tessera.nn.Module;
import java.util.List;

/**
 * Inception v3's grid reduction 35x35 to 17x17, as torchvision's {@code InceptionB}: {@code
 * branch3x3} (3x3 stride 2, 384), {@code branch3x3dbl_1}/{@code _2}/{@code _3} (1x1 64, 3x3 96, 3x3
 * stride 2 96) and a 3x3 stride-2 max pool, concatenated: {@code 480 + in} output channels.
 */
public class InceptionB extends Module {
    /** Creates the module for {@code in} input channels. */
    public InceptionB(int in) {
        registerModule("branch3x3", new BasicConv2d(in, 384, 3, 2, 0));
        registerModule("branch3x3dbl_1", new BasicConv2d(in, 64, 1));
        registerModule("branch3x3dbl_2", new BasicConv2d(64, 96, 3, 1, 1));
        registerModule("branch3x3dbl_3", new BasicConv2d(96, 96, 3, 2, 0));
    }

    /** Returns the concatenated branches, a new {@code [N, 480 + in, (H - 3) / 2 + 1, (W - 3) / 2 + 1]} tensor. */
    @Override
    public Tensor forward(Tensor x) {
        Tensor b3 = get("branch3x3").forward(x);
        Tensor bd = get("branch3x3dbl_3").forward(get("branch3x3dbl_2").forward(get("branch3x3dbl_1").forward(x)));
        Tensor bp = Inception.maxPool3x3Stride2(x);
        return Tensor.cat(List.of(b3, bd, bp), 1);
    }
}
