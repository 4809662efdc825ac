package dev.tessera.nn.selection;

import dev.tessera.nn.data.Dataset;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Nested cross-validation: an unbiased estimate of how well "run this hyperparameter search, then
 * train the winner" generalises. The best score of a search is optimistic, because the winner was
 * picked for doing well on those very folds; here an outer splitter holds out test folds the search
 * never sees. For every outer fold, the search runs on the outer training part alone (its own
 * splitter cutting that part again), the best candidate is retrained on the whole outer training
 * part and scored on the outer test part. The mean of those outer scores estimates the procedure;
 * the chosen hyperparameters may differ from fold to fold.
 *
 * <p>Cost: (outer folds) × (candidates × inner folds + 1) trainings.
 */
public final class NestedCrossValidation {
    private static final Logger LOG = LoggerFactory.getLogger(NestedCrossValidation.class);

    private final Splitter outer;
    private final HyperparameterSearch search;

    /**
     * Creates a nested cross-validation.
     *
     * @param outer  the outer splitter (holding out the test folds)
     * @param search the inner search; its cross-validation's splitter splits each outer training part
     *               (through {@link Splitter#onSubset}), its metrics score the outer test parts
     * @throws IllegalArgumentException if an argument is null
     */
    public NestedCrossValidation(Splitter outer, HyperparameterSearch search) {
        if (outer == null || search == null) {
            throw new IllegalArgumentException("NestedCrossValidation: the outer splitter and the inner search are required");
        }
        this.outer = outer;
        this.search = search;
    }

    /**
     * Runs the search inside every outer training part of {@code data} (not modified) and scores its
     * winner on the outer test part.
     *
     * @throws IllegalArgumentException if a split is impossible
     * @throws IllegalStateException    if the model factory returns a model sharing state with an earlier one
     */
    public NestedResult run(Dataset data) {
        List<Fold> folds = outer.split(data);
        ModelGuard guard = new ModelGuard();
        CrossValidation cv = search.cv();
        List<NestedResult.OuterFold> results = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < folds.size(); i++) {
            Fold fold = folds.get(i);
            String label = "outer fold " + i + ", ";
            SearchResult inner = search.run(data.subset(fold.train()), cv.splitter().onSubset(fold.train()), false, guard,
                    label);
            Params best = inner.bestParams();
            FoldResult scored = cv.runFold(search.modelFactory(), best, search.trainerFor(best), data, fold, i, guard,
                    label + "retrained " + best);
            LOG.info("outer fold {}/{}: best {} (inner {} {}), outer {} {}", i + 1, folds.size(), best, search.scoring(),
                    inner.bestScore(), search.scoring(), String.format(java.util.Locale.ROOT, "%.4f",
                            scored.score(search.scoring())));
            results.add(new NestedResult.OuterFold(i, fold, best, inner.bestScore(), inner, scored));
        }
        return new NestedResult(search.scoring(), outer.toString(), results, (System.nanoTime() - start) / 1e9);
    }

    @Override
    public String toString() {
        return "NestedCrossValidation(outer=" + outer + ", inner=" + search + ")";
    }
}
