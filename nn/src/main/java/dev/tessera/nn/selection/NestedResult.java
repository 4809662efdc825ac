package dev.tessera.nn.selection;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The outcome of a {@link NestedCrossValidation}: per outer fold, the hyperparameters the inner
 * search chose, its (optimistic) inner score and the winner's score on the outer test part; the
 * mean ± std of the outer scores is the estimate of the whole procedure. Immutable.
 */
public final class NestedResult {
    private final String scoring;
    private final String outer;
    private final List<OuterFold> folds;
    private final double totalSeconds;

    /**
     * One outer fold.
     *
     * @param index      the outer fold's position
     * @param fold       the outer training and test indices
     * @param bestParams the hyperparameters the inner search chose
     * @param innerScore the chosen candidate's inner cross-validated score
     * @param search     the inner search's full result
     * @param outer      the chosen candidate retrained on the outer training part and scored on the outer test part
     */
    public record OuterFold(int index, Fold fold, Params bestParams, Score innerScore, SearchResult search, FoldResult outer) {
    }

    NestedResult(String scoring, String outer, List<OuterFold> folds, double totalSeconds) {
        this.scoring = scoring;
        this.outer = outer;
        this.folds = List.copyOf(folds);
        this.totalSeconds = totalSeconds;
    }

    /** Returns the metric the inner searches ranked by. */
    public String scoring() {
        return scoring;
    }

    /** Returns every outer fold's result, in order (unmodifiable). */
    public List<OuterFold> folds() {
        return folds;
    }

    /** Returns the names of the outer scores: the metrics, then {@code "loss"}. */
    public List<String> metricNames() {
        return new ArrayList<>(folds.get(0).outer().scores().keySet());
    }

    /**
     * Returns the outer test value of {@code metric} per outer fold (a new array).
     *
     * @throws IllegalArgumentException for an unknown metric
     */
    public double[] scores(String metric) {
        return folds.stream().mapToDouble(f -> f.outer().score(metric)).toArray();
    }

    /** Returns the mean and population standard deviation of the outer scores of {@code metric}: the estimate. */
    public Score score(String metric) {
        return Score.of(scores(metric));
    }

    /** Returns the mean ± std of the outer scores of the scoring metric. */
    public Score score() {
        return score(scoring);
    }

    /** Returns the mean ± std of the inner best scores (optimistic: compare with {@link #score()}). */
    public Score innerScore() {
        return Score.of(folds.stream().mapToDouble(f -> f.innerScore().mean()).toArray());
    }

    /** Returns how often each hyperparameter set was chosen, most frequent first (a new map). */
    public Map<Params, Integer> chosenParams() {
        Map<Params, Integer> counts = new LinkedHashMap<>();
        folds.forEach(f -> counts.merge(f.bestParams(), 1, Integer::sum));
        Map<Params, Integer> sorted = new LinkedHashMap<>();
        counts.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue())
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }

    /** Returns the wall-clock time of the whole nested run in seconds. */
    public double totalSeconds() {
        return totalSeconds;
    }

    /** Returns a table: one row per outer fold with its chosen parameters, inner and outer score, then the estimate. */
    public String table() {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"outer fold", "chosen", "inner " + scoring, "outer " + scoring});
        for (OuterFold f : folds) {
            rows.add(new String[] {Integer.toString(f.index()), f.bestParams().toString(), f.innerScore().toString(),
                    String.format(Locale.ROOT, "%.4f", f.outer().score(scoring))});
        }
        return Tables.format(rows) + String.format(Locale.ROOT, "nested estimate of %s: %s (inner best scores %s) over %s%n",
                scoring, score(), innerScore(), outer);
    }

    @Override
    public String toString() {
        return "NestedResult(" + scoring + " " + score() + " over " + folds.size() + " outer folds)";
    }
}
