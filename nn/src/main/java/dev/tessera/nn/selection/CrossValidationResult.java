package dev.tessera.nn.selection;

import dev.tessera.Tensor;
import dev.tessera.nn.Module;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The outcome of one cross-validation run: per-fold test scores of every metric (and the test
 * loss), their mean and standard deviation, per-fold training times and, when asked for, the
 * trained models and the out-of-fold predictions. Immutable.
 */
public final class CrossValidationResult {
    private final Params params;
    private final String splitter;
    private final int numExamples;
    private final List<String> metricNames;
    private final Map<String, Boolean> higherIsBetter;
    private final List<FoldResult> folds;
    private final double totalSeconds;

    CrossValidationResult(Params params, String splitter, int numExamples, List<String> metricNames,
                          Map<String, Boolean> higherIsBetter, List<FoldResult> folds, double totalSeconds) {
        this.params = params;
        this.splitter = splitter;
        this.numExamples = numExamples;
        this.metricNames = List.copyOf(metricNames);
        this.higherIsBetter = Map.copyOf(higherIsBetter);
        this.folds = List.copyOf(folds);
        this.totalSeconds = totalSeconds;
    }

    /** Returns the hyperparameters the models were built with. */
    public Params params() {
        return params;
    }

    /** Returns a description of the splitter used. */
    public String splitter() {
        return splitter;
    }

    /** Returns the names of the scores: the metrics in the order given, then {@code "loss"}. */
    public List<String> metricNames() {
        return metricNames;
    }

    /**
     * Returns true when larger values of {@code metric} are better ({@code "loss"}: false).
     *
     * @throws IllegalArgumentException for an unknown metric
     */
    public boolean higherIsBetter(String metric) {
        check(metric);
        return higherIsBetter.get(metric);
    }

    /** Returns every fold's result, in the splitter's order (unmodifiable). */
    public List<FoldResult> folds() {
        return folds;
    }

    /** Returns the number of folds. */
    public int numFolds() {
        return folds.size();
    }

    /**
     * Returns the test value of {@code metric} in every fold (a new array).
     *
     * @throws IllegalArgumentException for an unknown metric, naming the known ones
     */
    public double[] scores(String metric) {
        check(metric);
        return folds.stream().mapToDouble(f -> f.score(metric)).toArray();
    }

    /** Returns the mean and population standard deviation of {@code metric} over the folds. */
    public Score score(String metric) {
        return Score.of(scores(metric));
    }

    /** Returns the mean of {@code metric} over the folds. */
    public double mean(String metric) {
        return score(metric).mean();
    }

    /** Returns the population standard deviation of {@code metric} over the folds. */
    public double std(String metric) {
        return score(metric).std();
    }

    /** Returns every fold's training time in seconds (a new array). */
    public double[] trainSeconds() {
        return folds.stream().mapToDouble(FoldResult::trainSeconds).toArray();
    }

    /** Returns the wall-clock time of the whole run in seconds (less than the sum of fold times when folds ran in parallel). */
    public double totalSeconds() {
        return totalSeconds;
    }

    /**
     * Returns the trained model of every fold, in fold order (a new list).
     *
     * @throws IllegalStateException if the run did not keep models
     */
    public List<Module> models() {
        List<Module> models = new ArrayList<>();
        for (FoldResult f : folds) {
            if (f.model() == null) {
                throw new IllegalStateException("CrossValidationResult: models were not kept; build the CrossValidation"
                        + " with keepModels(true)");
            }
            models.add(f.model());
        }
        return models;
    }

    /**
     * Returns the out-of-fold predictions: row {@code i} is the output for example {@code i} of the
     * model that did not train on it, {@code [n, ...]}. Defined only when every example was tested
     * exactly once (k-fold splitters; not shuffle splits or repeats).
     *
     * @throws IllegalStateException if predictions were not kept or an example was tested zero or several times
     */
    public Tensor outOfFoldPredictions() {
        int[] testedBy = new int[numExamples];
        Arrays.fill(testedBy, -1);
        int[] position = new int[numExamples];
        List<Tensor> parts = new ArrayList<>();
        int offset = 0;
        for (FoldResult f : folds) {
            if (f.predictions() == null) {
                throw new IllegalStateException("CrossValidationResult: predictions were not kept; build the"
                        + " CrossValidation with keepPredictions(true)");
            }
            int[] test = f.fold().test();
            for (int j = 0; j < test.length; j++) {
                if (testedBy[test[j]] >= 0) {
                    throw new IllegalStateException("CrossValidationResult: example " + test[j] + " is tested by folds "
                            + testedBy[test[j]] + " and " + f.index() + "; out-of-fold predictions need every example"
                            + " tested exactly once (" + splitter + " does not)");
                }
                testedBy[test[j]] = f.index();
                position[test[j]] = offset + j;
            }
            offset += test.length;
            parts.add(f.predictions());
        }
        for (int i = 0; i < numExamples; i++) {
            if (testedBy[i] < 0) {
                throw new IllegalStateException("CrossValidationResult: example " + i + " is never tested by " + splitter
                        + "; out-of-fold predictions need every example tested exactly once");
            }
        }
        try (var ng = Tensor.noGrad()) {
            Tensor all = Tensor.cat(parts, 0);
            return all.indexSelect(0, Tensor.ofInts(all.device(), position));
        }
    }

    /** Returns one line per metric, {@code accuracy: 0.9531 ± 0.0211}, then the fold count and times. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        for (String m : metricNames) {
            sb.append(String.format(Locale.ROOT, "%-10s %s%n", m + ":", score(m)));
        }
        double[] t = trainSeconds();
        sb.append(String.format(Locale.ROOT, "%d folds of %s, training %.2f s per fold on average, %.2f s in all",
                folds.size(), splitter, Arrays.stream(t).average().orElse(0), totalSeconds));
        return sb.toString();
    }

    private void check(String metric) {
        if (!higherIsBetter.containsKey(metric)) {
            throw new IllegalArgumentException("CrossValidationResult: no metric '" + metric + "'; have " + metricNames);
        }
    }

    @Override
    public String toString() {
        return "CrossValidationResult" + (params.size() > 0 ? params : "") + ":\n" + summary();
    }
}
