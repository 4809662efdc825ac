package dev.tessera.nn.train;

import dev.tessera.Tensor;
import java.io.Serializable;

/**
 * The training objective: a scalar loss from a batch's model output and targets, e.g. {@code F::crossEntropy}.
 * Serializable, so that a lambda or method reference can be shipped to machines that train elsewhere.
 */
@FunctionalInterface
public interface LossFunction extends Serializable {
    /** Returns the 0-d loss of {@code output} against {@code target}. */
    Tensor compute(Tensor output, Tensor target);
}
