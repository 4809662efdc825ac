package dev.tessera.nn.selection;

import dev.tessera.Tensor;
import dev.tessera.nn.data.Dataset;
import dev.tessera.nn.data.MinMaxScaler;
import dev.tessera.nn.data.StandardScaler;
import java.io.Serializable;
import java.util.Arrays;
import java.util.function.UnaryOperator;

/**
 * Preprocessing fitted per fold: cross-validation calls {@link #fit} on the training part of each
 * fold only, and applies the returned transform to that fold's training and test features. Fitting
 * on all the data instead (a scaler's mean including the test examples) leaks information from the
 * test set into training and makes the estimate optimistic.
 *
 * <p>Serializable, so that it can be shipped to the machines that run folds elsewhere; the
 * transforms it returns are used where they were fitted and need not be.
 */
@FunctionalInterface
public interface Preprocessor extends Serializable {

    /**
     * Fits on {@code train} (not modified) and returns the transform of a batch's features; the
     * transform must not modify its input and may be called from several threads.
     */
    UnaryOperator<Tensor> fit(Dataset train);

    /** Returns the preprocessor that does nothing. */
    static Preprocessor none() {
        return train -> UnaryOperator.identity();
    }

    /** Returns standardisation (zero mean, unit variance per feature) with {@link StandardScaler}. */
    static Preprocessor standardize() {
        return train -> StandardScaler.fit(train)::transform;
    }

    /** Returns rescaling to {@code [0, 1]} per feature with {@link MinMaxScaler}. */
    static Preprocessor minMax() {
        return train -> {
            int[] all = new int[train.size()];
            Arrays.setAll(all, i -> i);
            return MinMaxScaler.fit(train.get(all).features())::transform;
        };
    }
}
