package dev.tessera.nn.models;

import dev.tessera.Tensor;
import dev.tessera.nn.Linear;
import dev.tessera.nn.Module;

/**
 * Inception v3's auxiliary classifier, as torchvision's {@code InceptionAux}: a 5x5 stride-3
 * average pool, {@code conv0} (1x1, 128), {@code conv1} (5x5, 768), a global average pool and
 * {@code fc} (Linear(768, numClasses)). It reads the 17x17 feature map (768 channels) after {@code
 * Mixed_6e}; it needs at least 5x5 there after the pool, i.e. a 17x17 map.
 */
public class InceptionAux extends Module {
    /** Creates the head for {@code in} channels (with PyTorch's default initialisation; {@link Inception} sets torchvision's). */
    public InceptionAux(int in, int numClasses) {
        registerModule("conv0", new BasicConv2d(in, 128, 1));
        registerModule("conv1", new BasicConv2d(128, 768, 5));
        registerModule("fc", new Linear(768, numClasses));
    }

    /** Returns the auxiliary logits {@code [N, numClasses]} for the feature map {@code [N, in, H, W]}. */
    @Override
    public Tensor forward(Tensor x) {
        Tensor y = x.avgPool2d(new int[] {5, 5}, new int[] {3, 3}, new int[] {0, 0}, true);
        y = get("conv1").forward(get("conv0").forward(y));
        return get("fc").forward(y.adaptiveAvgPool2d(1, 1).flatten(1, -1));
    }
}
