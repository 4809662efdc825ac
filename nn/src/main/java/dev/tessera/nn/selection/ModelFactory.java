package dev.tessera.nn.selection;

import dev.tessera.nn.Module;
import java.io.Serializable;
import java.util.function.Supplier;

/**
 * Builds a new, untrained model from hyperparameters; cross-validation calls it once per fold.
 *
 * <p>Every call must return a new model with its own layers and tensors: reusing a model (or a
 * layer, parameter tensor or dropout generator of an earlier one) would carry weights from one
 * fold into the next. {@link CrossValidation} detects a factory that does and fails. For
 * reproducible initialisation, build the layers with {@code new Generator(params.seed())}.
 *
 * <p>Serializable, so that a lambda written for the local API can be shipped to the machines that
 * run folds elsewhere (it must then capture only serializable values).
 */
@FunctionalInterface
public interface ModelFactory extends Serializable {

    /** Returns a new model built from {@code params} (not modified). */
    Module create(Params params);

    /** Returns a factory that ignores the parameters and calls {@code supplier}. */
    static ModelFactory of(Supplier<? extends Module> supplier) {
        return params -> supplier.get();
    }
}
