package dev.tessera.nn.train;

import dev.tessera.Tensor;

/** The training objective: a scalar loss from a batch's model output and targets, e.g. {@code F::crossEntropy}. */
@FunctionalInterface
public interface LossFunction {
    /** Returns the 0-d loss of {@code output} against {@code target}. */
    Tensor compute(Tensor output, Tensor target);
}
