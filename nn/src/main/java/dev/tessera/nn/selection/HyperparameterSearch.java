package dev.tessera.nn.selection;

import dev.tessera.nn.data.Dataset;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@link GridSearch} and {@link RandomSearch} share: every candidate {@link Params} is scored
 * by the same {@link CrossValidation} (same splitter, so the same folds, same metrics and
 * preprocessing), the candidates are ranked by one metric, and the best may be refitted on all the
 * data. Only the list of candidates differs. Every model of a search comes from the {@link
 * ModelFactory}; a model sharing state with any earlier one (of any candidate) fails the search.
 */
public abstract class HyperparameterSearch {
    private static final Logger LOG = LoggerFactory.getLogger(HyperparameterSearch.class);

    private final ModelFactory modelFactory;
    private final Function<Params, TrainerConfig> trainerFactory;
    private final CrossValidation cv;
    private final String scoring;
    private final boolean refit;

    HyperparameterSearch(Builder<?> b) {
        this.modelFactory = b.modelFactory;
        this.trainerFactory = b.trainerFactory != null ? b.trainerFactory : p -> b.cv.trainer();
        this.cv = b.cv.keeping(false, false);
        Set<String> names = new LinkedHashSet<>();
        cv.metrics().forEach(s -> names.add(s.get().name()));
        names.add("loss");
        this.scoring = b.scoring != null ? b.scoring : names.iterator().next();
        if (!names.contains(scoring)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": scoring metric '" + scoring
                    + "' is not among the cross-validation's metrics " + names);
        }
        this.refit = b.refit;
    }

    /** Returns the candidates, in the order they are evaluated (a new list). */
    public abstract List<Params> candidates();

    /** Returns the name of the metric candidates are ranked by. */
    public String scoring() {
        return scoring;
    }

    /** Returns the cross-validation every candidate is scored with. */
    public CrossValidation cv() {
        return cv;
    }

    ModelFactory modelFactory() {
        return modelFactory;
    }

    TrainerConfig trainerFor(Params p) {
        TrainerConfig c = trainerFactory.apply(p);
        if (c == null) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": the trainer factory returned null for " + p);
        }
        return c;
    }

    /**
     * Cross-validates every candidate on {@code data} (not modified), ranks them and, if the search
     * was built with {@code refit(true)}, trains the best on all of {@code data}.
     *
     * @throws IllegalArgumentException if there are no candidates or the split is impossible
     * @throws IllegalStateException    if the model factory returns a model sharing state with an earlier one
     */
    public SearchResult run(Dataset data) {
        return run(data, cv.splitter(), refit, new ModelGuard(), "");
    }

    /** Runs the search on {@code data} split by {@code splitter}; shared with nested cross-validation. */
    SearchResult run(Dataset data, Splitter splitter, boolean doRefit, ModelGuard guard, String label) {
        List<Params> candidates = candidates();
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": no candidates to evaluate");
        }
        CrossValidation c = cv.withSplitter(splitter);
        long start = System.nanoTime();
        List<CrossValidationResult> results = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i++) {
            Params p = candidates.get(i);
            CrossValidationResult r = c.run(modelFactory, p, trainerFor(p), data, guard,
                    label + "candidate " + i + " " + p + ", ");
            results.add(r);
            LOG.info("{}candidate {}/{} {}: {} {} ({} s)", label, i + 1, candidates.size(), p, scoring, r.score(scoring),
                    String.format(java.util.Locale.ROOT, "%.1f", r.totalSeconds()));
        }
        return finish(results, data, c, doRefit, guard, label, start);
    }

    /**
     * Ranks the candidates' results and, if {@code doRefit}, trains the best on all of {@code data};
     * the total time counts from {@code startNanos}.
     */
    SearchResult finish(List<CrossValidationResult> results, Dataset data, CrossValidation c, boolean doRefit,
                        ModelGuard guard, String label, long startNanos) {
        boolean higher = results.get(0).higherIsBetter(scoring);
        SearchResult ranked = new SearchResult(scoring, higher, results, null, 0);
        FittedModel best = null;
        if (doRefit) {
            Params p = ranked.bestParams();
            best = c.fitAll(modelFactory, p, trainerFor(p), data, guard, label + "the refit of " + p);
        }
        return new SearchResult(scoring, higher, results, best, (System.nanoTime() - startNanos) / 1e9);
    }

    /** Returns whether {@link #run(Dataset)} refits the best candidate. */
    boolean refits() {
        return refit;
    }

    /**
     * Settings common to both searches; every setter returns this builder.
     *
     * @param <B> the concrete builder
     */
    public abstract static class Builder<B extends Builder<B>> {
        private final ModelFactory modelFactory;
        private final CrossValidation cv;
        private Function<Params, TrainerConfig> trainerFactory;
        private String scoring;
        private boolean refit;

        Builder(String who, ModelFactory modelFactory, CrossValidation cv) {
            if (modelFactory == null || cv == null) {
                throw new IllegalArgumentException(who + ": the model factory and the cross-validation are required");
            }
            this.modelFactory = modelFactory;
            this.cv = cv;
        }

        abstract B self();

        /**
         * Sets how a candidate is trained, e.g. {@code p -> TrainerConfig.builder().epochs(p.getInt("epochs"))
         * .optimizer(ps -> new Adam(ps, p.getFloat("lr"))).build()} (default: the cross-validation's
         * trainer for every candidate).
         */
        public B trainer(Function<Params, TrainerConfig> factory) {
            this.trainerFactory = factory;
            return self();
        }

        /** Sets the metric candidates are ranked by (default: the cross-validation's first metric, or {@code "loss"}). */
        public B scoring(String metric) {
            this.scoring = metric;
            return self();
        }

        /** Refits the best candidate on all the data after the search (default false). */
        public B refit(boolean value) {
            this.refit = value;
            return self();
        }
    }
}
