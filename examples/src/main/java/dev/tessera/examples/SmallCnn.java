package dev.tessera.examples;

import dev.tessera.Generator;
import dev.tessera.Tensor;
import dev.tessera.nn.BatchNorm2d;
import dev.tessera.nn.Conv2d;
import dev.tessera.nn.Flatten;
import dev.tessera.nn.Linear;
import dev.tessera.nn.MaxPool2d;
import dev.tessera.nn.Module;
import dev.tessera.nn.ReLU;
import dev.tessera.nn.Sequential;

/**
 * A small CNN for {@code [N, 1, 28, 28]} images, the model of the transfer examples: {@code block1}
 * = conv 3x3 (16) + BatchNorm + ReLU + max-pool, {@code block2} = the same with 32 channels,
 * {@code block3} = flatten + Linear(1568, 64) + ReLU (the features), {@code fc} = Linear(64,
 * classes) (the head).
 */
final class SmallCnn extends Module {
    /** Width of the feature vector that {@code block3} outputs and the head reads. */
    static final int FEATURES = 64;

    /** A new model with {@code classes} outputs, every weight drawn from {@code g}. */
    SmallCnn(int classes, Generator g) {
        registerModule("block1", convBlock(1, 16, g));
        registerModule("block2", convBlock(16, 32, g));
        registerModule("block3", new Sequential(new Flatten(), new Linear(32 * 7 * 7, FEATURES, true, g), new ReLU()));
        registerModule("fc", new Linear(FEATURES, classes, true, g));
    }

    private static Sequential convBlock(int in, int out, Generator g) {
        int[] three = {3, 3};
        int[] one = {1, 1};
        return new Sequential(new Conv2d(in, out, three, one, one, one, 1, true, g), new BatchNorm2d(out), new ReLU(),
                new MaxPool2d(2));
    }

    /** Runs the four blocks in order on {@code input} {@code [N, 1, 28, 28]}; returns the logits {@code [N, classes]}. */
    @Override
    public Tensor forward(Tensor input) {
        Tensor x = input;
        for (Module m : children()) {
            x = m.forward(x);
        }
        return x;
    }
}
