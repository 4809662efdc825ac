package dev.tessera.nn.models;

import dev.tessera.Tensor;
import dev.tessera.nn.Module;
import java.util.List;

/**
 * Inception v3's 17x17 module with factorised 7x7 convolutions, as torchvision's {@code
 * InceptionC}: {@code branch1x1} (1x1, 192), {@code branch7x7_1}..{@code _3} (1x1 c7, 1x7 c7, 7x1
 * 192), {@code branch7x7dbl_1}..{@code _5} (1x1 c7, 7x1 c7, 1x7 c7, 7x1 c7, 1x7 192) and a 3x3
 * average pool (stride 1, padding 1) followed by {@code branch_pool} (1x1, 192): 768 output channels.
 */
public class InceptionC extends Module {
    private static final int[] K17 = {1, 7};
    private static final int[] P17 = {0, 3};
    private static final int[] K71 = {7, 1};
    private static final int[] P71 = {3, 0};

    /** Creates the module for {@code in} input channels with {@code channels7x7} channels inside the 7x7 branches. */
    public InceptionC(int in, int channels7x7) {
        int c7 = channels7x7;
        registerModule("branch1x1", new BasicConv2d(in, 192, 1));
        registerModule("branch7x7_1", new BasicConv2d(in, c7, 1));
        registerModule("branch7x7_2", new BasicConv2d(c7, c7, K17, 1, P17));
        registerModule("branch7x7_3", new BasicConv2d(c7, 192, K71, 1, P71));
        registerModule("branch7x7dbl_1", new BasicConv2d(in, c7, 1));
        registerModule("branch7x7dbl_2", new BasicConv2d(c7, c7, K71, 1, P71));
        registerModule("branch7x7dbl_3", new BasicConv2d(c7, c7, K17, 1, P17));
        registerModule("branch7x7dbl_4", new BasicConv2d(c7, c7, K71, 1, P71));
        registerModule("branch7x7dbl_5", new BasicConv2d(c7, 192, K17, 1, P17));
        registerModule("branch_pool", new BasicConv2d(in, 192, 1));
    }

    /** Returns the concatenated branches, a new {@code [N, 768, H, W]} tensor. */
    @Override
    public Tensor forward(Tensor x) {
        Tensor b1 = get("branch1x1").forward(x);
        Tensor b7 = x;
        for (int i = 1; i <= 3; i++) {
            b7 = get("branch7x7_" + i).forward(b7);
        }
        Tensor bd = x;
        for (int i = 1; i <= 5; i++) {
            bd = get("branch7x7dbl_" + i).forward(bd);
        }
        Tensor bp = get("branch_pool").forward(Inception.avgPool3x3(x));
        return Tensor.cat(List.of(b1, b7, bd, bp), 1);
    }
}
