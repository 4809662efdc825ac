package dev.tessera.nn.models;

import dev.tessera.Tensor;
import dev.tessera.nn.Module;
import java.util.List;

/**
 * Inception v3's grid reduction 17x17 to 8x8, as torchvision's {@code InceptionD}: {@code
 * branch3x3_1}/{@code _2} (1x1 192, 3x3 stride 2 320), {@code branch7x7x3_1}..{@code _4} (1x1 192,
 * 1x7 192, 7x1 192, 3x3 stride 2 192) and a 3x3 stride-2 max pool, concatenated: {@code 512 + in}
 * output channels.
 */
public class InceptionD extends Module {
    /** Creates the module for {@code in} input channels. */
    public InceptionD(int in) {
        registerModule("branch3x3_1", new BasicConv2d(in, 192, 1));
        registerModule("branch3x3_2", new BasicConv2d(192, 320, 3, 2, 0));
        registerModule("branch7x7x3_1", new BasicConv2d(in, 192, 1));
        registerModule("branch7x7x3_2", new BasicConv2d(192, 192, new int[] {1, 7}, 1, new int[] {0, 3}));
        registerModule("branch7x7x3_3", new BasicConv2d(192, 192, new int[] {7, 1}, 1, new int[] {3, 0}));
        registerModule("branch7x7x3_4", new BasicConv2d(192, 192, 3, 2, 0));
    }

    /** Returns the concatenated branches, a new {@code [N, 512 + in, (H - 3) / 2 + 1, (W - 3) / 2 + 1]} tensor. */
    @Override
    public Tensor forward(Tensor x) {
        Tensor b3 = get("branch3x3_2").forward(get("branch3x3_1").forward(x));
        Tensor b7 = x;
        for (int i = 1; i <= 4; i++) {
            b7 = get("branch7x7x3_" + i).forward(b7);
        }
        Tensor bp = Inception.maxPool3x3Stride2(x);
        return Tensor.cat(List.of(b3, b7, bp), 1);
    }
}
