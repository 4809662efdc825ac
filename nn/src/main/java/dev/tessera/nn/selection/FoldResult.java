package dev.tessera.nn.selection;

import dev.tessera.Tensor;
import dev.tessera.nn.Module;
import dev.tessera.nn.train.History;
import java.util.Map;

/**
 * What one fold of a cross-validation produced.
 *
 * @param index        the fold's position in the splitter's list
 * @param fold         the training and test indices
 * @param scores       each metric on the test part, then the test {@code "loss"} (unmodifiable, ordered)
 * @param trainSeconds the wall-clock time of training (not testing)
 * @param history      the per-epoch training logs
 * @param model        the trained model, or null unless models were kept
 * @param predictions  the model's outputs on the test part, rows in the order of {@code fold.test()},
 *                     or null unless predictions were kept
 */
public record FoldResult(int index, Fold fold, Map<String, Double> scores, double trainSeconds, History history,
                         Module model, Tensor predictions) {

    /**
     * Returns the test value of {@code metric}.
     *
     * @throws IllegalArgumentException if the fold has no such score, naming those it has
     */
    public double score(String metric) {
        Double v = scores.get(metric);
        if (v == null) {
            throw new IllegalArgumentException("FoldResult: no score '" + metric + "'; have " + scores.keySet());
        }
        return v;
    }
}
