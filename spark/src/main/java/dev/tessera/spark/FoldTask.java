package dev.tessera.spark;

import dev.tessera.nn.selection.Params;
import dev.tessera.nn.selection.TrainerConfig;
import java.io.Serializable;

/**
 * One Spark task of a distributed cross-validation or search: fold {@code fold} of candidate
 * {@code candidate}, whose models are built from {@code params} and trained as {@code config} says.
 *
 * @param candidate the candidate's position in the search (0 for a plain cross-validation)
 * @param fold      the fold's position in the splitter's list
 * @param params    the candidate's hyperparameters
 * @param config    how its models are trained
 */
record FoldTask(int candidate, int fold, Params params, TrainerConfig config) implements Serializable {
    private static final long serialVersionUID = 1L;
}
