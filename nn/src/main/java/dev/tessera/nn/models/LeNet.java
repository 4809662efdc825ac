package dev.tessera.nn.models;

import dev.tessera.Shape;
import dev.tessera.Tensor;
import dev.tessera.nn.Conv2d;
import dev.tessera.nn.F;
import dev.tessera.nn.Linear;
import dev.tessera.nn.MaxPool2d;
import dev.tessera.nn.Module;

/**
 * A LeNet-5 style network for {@code [N, 1, 28, 28]} images (MNIST, Fashion-MNIST), with ReLU and
 * max pooling as is usual today:
 *
 * <pre>
 * conv1  Conv2d(1, c1, 5, padding 2)  -> ReLU -> MaxPool2d(2)      28x28 -> 14x14
 * conv2  Conv2d(c1, c2, 5)            -> ReLU -> MaxPool2d(2)      14x14 -> 10x10 -> 5x5
 * fc1    Linear(c2*5*5, h1) -> ReLU
 * fc2    Linear(h1, h2)     -> ReLU
 * fc3    Linear(h2, classes)                                       logits
 * </pre>
 *
 * The classic widths are {@code c1 = 6, c2 = 16, h1 = 120, h2 = 84}. State dict keys: {@code
 * conv1.weight}, {@code conv1.bias}, {@code conv2.*}, {@code fc1.*}, {@code fc2.*}, {@code fc3.*}.
 */
public class LeNet extends Module {
    private final int classes;

    /** Creates the classic LeNet-5 widths (6, 16, 120, 84) with {@code numClasses} outputs. */
    public LeNet(int numClasses) {
        this(numClasses, 6, 16, 120, 84);
    }

    /**
     * Creates the network with the given widths: {@code c1} and {@code c2} convolution channels,
     * {@code h1} and {@code h2} hidden units.
     *
     * @throws IllegalArgumentException if a size is not positive
     */
    public LeNet(int numClasses, int c1, int c2, int h1, int h2) {
        if (numClasses < 1 || c1 < 1 || c2 < 1 || h1 < 1 || h2 < 1) {
            throw new IllegalArgumentException("LeNet: sizes must be positive, got numClasses=" + numClasses + ", c1=" + c1
                    + ", c2=" + c2 + ", h1=" + h1 + ", h2=" + h2);
        }
        this.classes = numClasses;
        registerModule("conv1", new Conv2d(1, c1, 5, 1, 2));
        registerModule("pool1", new MaxPool2d(2));
        registerModule("conv2", new Conv2d(c1, c2, 5));
        registerModule("pool2", new MaxPool2d(2));
        registerModule("fc1", new Linear(c2 * 5 * 5, h1));
        registerModule("fc2", new Linear(h1, h2));
        registerModule("fc3", new Linear(h2, numClasses));
    }

    /** Returns the number of classes (outputs). */
    public int numClasses() {
        return classes;
    }

    /**
     * Returns the logits {@code [N, numClasses]} for {@code input} {@code [N, 1, 28, 28]}.
     *
     * @throws IllegalArgumentException if the input is not {@code [N, 1, 28, 28]}
     */
    @Override
    public Tensor forward(Tensor input) {
        if (input.dim() != 4 || input.size(1) != 1 || input.size(2) != 28 || input.size(3) != 28) {
            throw new IllegalArgumentException("LeNet: expected input [N, 1, 28, 28], got " + Shape.str(input.shape()));
        }
        Tensor x = get("pool1").forward(F.reluAfter(get("conv1"), input));
        x = get("pool2").forward(F.reluAfter(get("conv2"), x));
        x = x.flatten(1, -1);
        x = F.reluAfter(get("fc1"), x);
        x = F.reluAfter(get("fc2"), x);
        return get("fc3").forward(x);
    }
}
