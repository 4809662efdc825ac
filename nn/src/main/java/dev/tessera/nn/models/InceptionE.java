package dev.tessera.nn.models;

import dev.tessera.Tensor;
import dev.tessera.nn.Module;
import java.util.List;

/**
 * Inception v3's 8x8 module with split 3x3 convolutions, as torchvision's {@code InceptionE}:
 * {@code branch1x1} (1x1, 320); {@code branch3x3_1} (1x1, 384) then {@code branch3x3_2a} (1x3) and
 * {@code branch3x3_2b} (3x1) side by side (384 each); {@code branch3x3dbl_1} (1x1, 448), {@code
 * branch3x3dbl_2} (3x3, 384) then {@code branch3x3dbl_3a} (1x3) and {@code _3b} (3x1) side by side;
 * a 3x3 average pool (stride 1, padding 1) followed by {@code branch_pool} (1x1, 192): 2048
 * output channels.
 */
public class InceptionE extends Module {
    private static final int[] K13 = {1, 3};
    private static final int[] P13 = {0, 1};
    private static final int[] K31 = {3, 1};
    private static final int[] P31 = {1, 0};

    /** Creates the module for {@code in} input channels. */
    public InceptionE(int in) {
        registerModule("branch1x1", new BasicConv2d(in, 320, 1));
        registerModule("branch3x3_1", new BasicConv2d(in, 384, 1));
        registerModule("branch3x3_2a", new BasicConv2d(384, 384, K13, 1, P13));
        registerModule("branch3x3_2b", new BasicConv2d(384, 384, K31, 1, P31));
        registerModule("branch3x3dbl_1", new BasicConv2d(in, 448, 1));
        registerModule("branch3x3dbl_2", new BasicConv2d(448, 384, 3, 1, 1));
        registerModule("branch3x3dbl_3a", new BasicConv2d(384, 384, K13, 1, P13));
        registerModule("branch3x3dbl_3b", new BasicConv2d(384, 384, K31, 1, P31));
        registerModule("branch_pool", new BasicConv2d(in, 192, 1));
    }

    /** Returns the concatenated branches, a new {@code [N, 2048, H, W]} tensor. */
    @Override
    public Tensor forward(Tensor x) {
        Tensor b1 = get("branch1x1").forward(x);
        Tensor b3 = get("branch3x3_1").forward(x);
        b3 = Tensor.cat(List.of(get("branch3x3_2a").forward(b3), get("branch3x3_2b").forward(b3)), 1);
        Tensor bd = get("branch3x3dbl_2").forward(get("branch3x3dbl_1").forward(x));
        bd = Tensor.cat(List.of(get("branch3x3dbl_3a").forward(bd), get("branch3x3dbl_3b").forward(bd)), 1);
        Tensor bp = get("branch_pool").forward(Inception.avgPool3x3(x));
        return Tensor.cat(List.of(b1, b3, bd, bp), 1);
    }
}
