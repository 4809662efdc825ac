package dev.tessera.nn.selection;

/**
 * One hyperparameter candidate of a search, with its cross-validation.
 *
 * @param index  the candidate's position in the search's order of evaluation
 * @param rank   1 for the best score; equal scores share the smaller rank (as scikit-learn's {@code rank_test_score})
 * @param params the hyperparameters
 * @param score  the mean and standard deviation of the search's scoring metric over the folds
 * @param cv     the full cross-validation result (every metric, fold and time)
 */
public record Candidate(int index, int rank, Params params, Score score, CrossValidationResult cv) {
}
