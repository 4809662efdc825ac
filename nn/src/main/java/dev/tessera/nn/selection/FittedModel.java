package dev.tessera.nn.selection;

import dev.tessera.Tensor;
import dev.tessera.nn.Module;
import dev.tessera.nn.train.History;
import java.util.function.UnaryOperator;

/**
 * A model trained on all the data with the chosen hyperparameters (a search's refit), together with
 * the preprocessing fitted on that data, which {@link #predict} applies first. The model is left in
 * eval mode.
 *
 * @param model         the trained model
 * @param preprocessing the fitted feature transform (the identity without preprocessing)
 * @param params        the hyperparameters it was built and trained with
 * @param history       the per-epoch training logs
 */
public record FittedModel(Module model, UnaryOperator<Tensor> preprocessing, Params params, History history) {

    /**
     * Checks the parts and puts the model in eval mode (modifies it).
     *
     * @throws IllegalArgumentException if a part is null
     */
    public FittedModel {
        if (model == null || preprocessing == null || params == null || history == null) {
            throw new IllegalArgumentException("FittedModel: model, preprocessing, params and history are required");
        }
        model.eval();
    }

    /**
     * Returns the model's outputs for raw {@code features} {@code [n, ...]}: preprocessed, then passed
     * through the model without recording gradients. {@code features} is not modified.
     */
    public Tensor predict(Tensor features) {
        try (var ng = Tensor.noGrad()) {
            return model.forward(preprocessing.apply(features));
        }
    }
}
