package dev.tessera.nn.selection;

import dev.tessera.nn.data.Dataset;
import java.util.List;

/**
 * The steps of a cross-validation or search taken one at a time, for running its folds somewhere
 * else (other processes or machines, e.g. on Apache Spark) with the same results as {@link
 * CrossValidation#run} and {@link HyperparameterSearch#run}: train and score one fold as the local
 * run does, then put the fold results together into the same result types. Nothing here changes
 * how the local runs work; they use the same code.
 */
public final class FoldTasks {
    private FoldTasks() {
    }

    /**
     * Trains a model on fold {@code index} ({@code fold}) of {@code data} and scores it, exactly as
     * {@code cv.run(modelFactory, params, config, data)} does for that fold: the same derived seeds,
     * preprocessing fitted on the training part, metrics and kept models or predictions. {@code data}
     * is not modified.
     *
     * @throws IllegalStateException    if the factory returns null
     * @throws IllegalArgumentException if the preprocessor returns a null transform or a metric is invalid
     */
    public static FoldResult runFold(CrossValidation cv, ModelFactory modelFactory, Params params, TrainerConfig config,
                                     Dataset data, Fold fold, int index) {
        return cv.runFold(modelFactory, params, config, data, fold, index, new ModelGuard(), "fold " + index);
    }

    /** Returns the seed that fold {@code index} derives from the trainer seed {@code seed} (for {@link Params#seed()}). */
    public static long foldSeed(long seed, int index) {
        return CrossValidation.foldSeed(seed, index);
    }

    /** Returns true when {@code cv} keeps every fold's trained model. */
    public static boolean keepsModels(CrossValidation cv) {
        return cv.keepsModels();
    }

    /** Returns true when {@code cv} keeps every fold's test outputs. */
    public static boolean keepsPredictions(CrossValidation cv) {
        return cv.keepsPredictions();
    }

    /**
     * Returns the result {@code cv} would have returned for models built from {@code params} on a
     * dataset of {@code numExamples} examples, given its folds' results in fold order.
     *
     * @throws IllegalArgumentException if two metrics share a name
     */
    public static CrossValidationResult result(CrossValidation cv, Params params, int numExamples, List<FoldResult> folds,
                                               double totalSeconds) {
        return cv.result(params, numExamples, cv.metricDirections(), folds, totalSeconds);
    }

    /** Returns the model factory of {@code search}. */
    public static ModelFactory modelFactory(HyperparameterSearch search) {
        return search.modelFactory();
    }

    /**
     * Returns the trainer configuration {@code search} uses for candidate {@code params}.
     *
     * @throws IllegalArgumentException if the search's trainer factory returns null
     */
    public static TrainerConfig trainerFor(HyperparameterSearch search, Params params) {
        return search.trainerFor(params);
    }

    /**
     * Returns the result {@code search.run(data)} would have returned given every candidate's
     * cross-validation result, in the order of {@link HyperparameterSearch#candidates()}: ranked,
     * and with the best candidate refitted here on all of {@code data} (not modified) if the search
     * refits. The total time counts from {@code startNanos} ({@link System#nanoTime()}).
     *
     * @throws IllegalArgumentException if {@code results} is empty
     */
    public static SearchResult result(HyperparameterSearch search, Dataset data, List<CrossValidationResult> results,
                                      long startNanos) {
        if (results.isEmpty()) {
            throw new IllegalArgumentException("FoldTasks.result: " + search.getClass().getSimpleName()
                    + " has no candidate results");
        }
        return search.finish(results, data, search.cv(), search.refits(), new ModelGuard(), "", startNanos);
    }
}
