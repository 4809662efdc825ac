package dev.tessera.nn.models;

import dev.tessera.Tensor;
import dev.tessera.nn.Module;
import java.util.List;

/**
 * Inception v3's 35x35 module, as torchvision's {@code InceptionA}: four branches concatenated on
 * the channels: {@code branch1x1} (1x1, 64), {@code branch5x5_1}/{@code _2} (1x1 48, 5x5 64),
 * {@code branch3x3dbl_1}/{@code _2}/{@code _3} (1x1 64, 3x3 96, 3x3 96) and a 3x3 average pool
 * (stride 1, padding 1, padding counted) followed by {@code branch_pool} (1x1, {@code
 * poolFeatures}); {@code 224 + poolFeatures} output channels.
 */
public class InceptionA extends Module {
    /** Creates the module for {@code in} input channels. */
    public InceptionA(int in, int poolFeatures) {
        registerModule("branch1x1", new BasicConv2d(in, 64, 1));
        registerModule("branch5x5_1", new BasicConv2d(in, 48, 1));
        registerModule("branch5x5_2", new BasicConv2d(48, 64, 5, 1, 2));
        registerModule("branch3x3dbl_1", new BasicConv2d(in, 64, 1));
        registerModule("branch3x3dbl_2", new BasicConv2d(64, 96, 3, 1, 1));
        registerModule("branch3x3dbl_3", new BasicConv2d(96, 96, 3, 1, 1));
        registerModule("branch_pool", new BasicConv2d(in, poolFeatures, 1));
    }

    /** Returns the concatenated branches, a new {@code [N, 224 + poolFeatures, H, W]} tensor. */
    @Override
    public Tensor forward(Tensor x) {
        Tensor b1 = get("branch1x1").forward(x);
        Tensor b5 = get("branch5x5_2").forward(get("branch5x5_1").forward(x));
        Tensor b3 = get("branch3x3dbl_3").forward(get("branch3x3dbl_2").forward(get("branch3x3dbl_1").forward(x)));
        Tensor bp = get("branch_pool").forward(Inception.avgPool3x3(x));
        return Tensor.cat(List.of(b1, b5, b3, bp), 1);
    }
}
