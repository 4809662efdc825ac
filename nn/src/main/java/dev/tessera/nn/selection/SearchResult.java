package dev.tessera.nn.selection;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The outcome of a {@link GridSearch} or {@link RandomSearch}: every candidate with its
 * cross-validated mean and standard deviation, ranked by the scoring metric, the best one, and the
 * model refitted on all data when the search was asked to refit. Immutable.
 */
public final class SearchResult {
    private final String scoring;
    private final boolean higherIsBetter;
    private final List<Candidate> ranked;
    private final FittedModel refitted;
    private final double totalSeconds;

    SearchResult(String scoring, boolean higherIsBetter, List<CrossValidationResult> results, FittedModel refitted,
                 double totalSeconds) {
        if (results.isEmpty()) {
            throw new IllegalArgumentException("SearchResult: no candidates");
        }
        this.scoring = scoring;
        this.higherIsBetter = higherIsBetter;
        this.refitted = refitted;
        this.totalSeconds = totalSeconds;
        Score[] scores = results.stream().map(r -> r.score(scoring)).toArray(Score[]::new);
        Integer[] order = new Integer[results.size()];
        Arrays.setAll(order, i -> i);
        // Best first; NaN (a failed metric) last; ties keep the order of evaluation.
        Comparator<Integer> byScore = Comparator.comparingDouble(i -> key(scores[i].mean()));
        Arrays.sort(order, byScore);
        List<Candidate> list = new ArrayList<>();
        int rank = 0;
        for (int pos = 0; pos < order.length; pos++) {
            int i = order[pos];
            if (pos == 0 || key(scores[i].mean()) != key(scores[order[pos - 1]].mean())) {
                rank = pos + 1;
            }
            list.add(new Candidate(i, rank, results.get(i).params(), scores[i], results.get(i)));
        }
        this.ranked = List.copyOf(list);
    }

    /** Returns a sort key: smaller is better; NaN is worst. */
    private double key(double mean) {
        if (Double.isNaN(mean)) {
            return Double.POSITIVE_INFINITY;
        }
        return higherIsBetter ? -mean : mean;
    }

    /** Returns the name of the metric candidates are ranked by. */
    public String scoring() {
        return scoring;
    }

    /** Returns every candidate, best first (unmodifiable). */
    public List<Candidate> candidates() {
        return ranked;
    }

    /** Returns every candidate in the order they were evaluated (a new list). */
    public List<Candidate> inEvaluationOrder() {
        List<Candidate> list = new ArrayList<>(ranked);
        list.sort(Comparator.comparingInt(Candidate::index));
        return list;
    }

    /** Returns the best candidate (the first evaluated among equally good ones). */
    public Candidate best() {
        return ranked.get(0);
    }

    /** Returns the best candidate's hyperparameters. */
    public Params bestParams() {
        return best().params();
    }

    /** Returns the best candidate's score. */
    public Score bestScore() {
        return best().score();
    }

    /** Returns true when the search refitted the best candidate on all data. */
    public boolean hasBestModel() {
        return refitted != null;
    }

    /**
     * Returns the best candidate refitted on all the data.
     *
     * @throws IllegalStateException if the search was built without {@code refit(true)}
     */
    public FittedModel bestModel() {
        if (refitted == null) {
            throw new IllegalStateException("SearchResult: the best candidate was not refitted; build the search with refit(true)");
        }
        return refitted;
    }

    /** Returns the wall-clock time of the search (including the refit) in seconds. */
    public double totalSeconds() {
        return totalSeconds;
    }

    /**
     * Returns a text table, best first: rank, one column per hyperparameter, the scoring metric's
     * mean ± std, the other metrics' means ± std, and the mean training time per fold.
     */
    public String table() {
        Set<String> names = new LinkedHashSet<>();
        ranked.forEach(c -> names.addAll(c.params().keys()));
        List<String> metrics = new ArrayList<>(List.of(scoring));
        for (String m : ranked.get(0).cv().metricNames()) {
            if (!m.equals(scoring)) {
                metrics.add(m);
            }
        }
        List<String[]> rows = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("rank"));
        header.addAll(names);
        header.addAll(metrics);
        header.add("s/fold");
        rows.add(header.toArray(new String[0]));
        for (Candidate c : ranked) {
            List<String> row = new ArrayList<>(List.of(Integer.toString(c.rank())));
            for (String n : names) {
                row.add(c.params().has(n) ? Params.format(c.params().get(n)) : "-");
            }
            for (String m : metrics) {
                row.add(c.cv().score(m).toString());
            }
            row.add(String.format(Locale.ROOT, "%.2f", Arrays.stream(c.cv().trainSeconds()).average().orElse(0)));
            rows.add(row.toArray(new String[0]));
        }
        return Tables.format(rows);
    }

    @Override
    public String toString() {
        return "SearchResult(" + ranked.size() + " candidates by " + scoring + "; best " + bestParams() + ": "
                + bestScore() + ")";
    }
}
