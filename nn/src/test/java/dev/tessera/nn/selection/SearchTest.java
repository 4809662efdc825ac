package dev.tessera.nn.selection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.Generator;
import dev.tessera.nn.Dropout;
import dev.tessera.nn.Linear;
import dev.tessera.nn.Module;
import dev.tessera.nn.ReLU;
import dev.tessera.nn.Sequential;
import dev.tessera.nn.data.TensorDataset;
import dev.tessera.nn.metrics.Metric;
import dev.tessera.nn.metrics.Metrics;
import dev.tessera.nn.optim.AdamW;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Grid search, random search and nested cross-validation on iris with tiny models. */
class SearchTest {
    static final TensorDataset IRIS = CrossValidationTest.IRIS;

    /** One hidden layer of {@code hidden} units with dropout, initialised from the fold's seed. */
    static Module mlp(Params p) {
        Generator g = new Generator(p.seed());
        int hidden = p.getInt("hidden", 8);
        return new Sequential(new Linear(4, hidden, true, g), new ReLU(), new Dropout(p.getDouble("dropout", 0), new Generator(g.nextLong())),
                new Linear(hidden, 3, true, g));
    }

    static TrainerConfig trainer(Params p) {
        return TrainerConfig.builder().epochs(p.getInt("epochs", 6)).batchSize(16).seed(3)
                .optimizer(ps -> new AdamW(ps, p.getFloat("lr"), p.getFloat("weight_decay", 0f))).build();
    }

    static CrossValidation cv(int k) {
        return CrossValidation.builder(new StratifiedKFold(k, true, 1)).metrics(Metric::accuracy)
                .preprocessor(Preprocessor.standardize()).build();
    }

    @Test
    void gridSearchRanksEveryCandidateAndRefitsTheBest() {
        ParamGrid grid = ParamGrid.builder().add("lr", 1e-5, 0.03).add("hidden", 4, 16).build();
        SearchResult r = GridSearch.builder(grid, SearchTest::mlp, cv(3)).trainer(SearchTest::trainer).refit(true).build()
                .run(IRIS);
        List<Candidate> ranked = r.candidates();
        assertEquals(4, ranked.size());
        assertEquals(grid.candidates(), r.inEvaluationOrder().stream().map(Candidate::params).toList());
        for (int i = 1; i < ranked.size(); i++) {
            assertTrue(ranked.get(i - 1).score().mean() >= ranked.get(i).score().mean(), r.table());
            assertTrue(ranked.get(i - 1).rank() <= ranked.get(i).rank());
        }
        assertEquals(1, r.best().rank());
        assertEquals(0.03, r.bestParams().getDouble("lr"), 1e-12, r.table());
        assertTrue(r.bestScore().mean() > 0.85, r.table());
        assertTrue(ranked.get(3).score().mean() < 0.8, "a learning rate of 1e-5 barely moves in 6 epochs:\n" + r.table());
        assertEquals(r.best().cv().score("accuracy"), r.bestScore());
        String table = r.table();
        assertTrue(table.startsWith("rank") && table.contains("lr") && table.contains("hidden") && table.contains(" ± "), table);
        assertEquals(6, table.lines().count(), table); // header, rule, 4 candidates

        FittedModel best = r.bestModel();
        assertEquals(r.bestParams(), best.params());
        double accuracy = Metrics.accuracy(best.predict(IRIS.features()), IRIS.targets()); // raw features: predict scales them
        assertTrue(accuracy > 0.85, "refitted model on its training data: " + accuracy);
    }

    @Test
    void scoringByLossRanksSmallestFirstAndUnknownScoringIsRefused() {
        ParamGrid grid = ParamGrid.builder().add("lr", 1e-4, 0.03).build();
        SearchResult r = GridSearch.builder(grid, SearchTest::mlp, cv(3)).trainer(SearchTest::trainer).scoring("loss").build()
                .run(IRIS);
        assertEquals("loss", r.scoring());
        assertTrue(r.candidates().get(0).score().mean() <= r.candidates().get(1).score().mean());
        assertEquals(0.03, r.bestParams().getDouble("lr"), 1e-12);
        IllegalStateException e = assertThrows(IllegalStateException.class, r::bestModel);
        assertTrue(e.getMessage().contains("refit(true)"), e.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> GridSearch.builder(grid, SearchTest::mlp, cv(3)).scoring("f1").build());
        assertTrue(bad.getMessage().contains("'f1'") && bad.getMessage().contains("accuracy"), bad.getMessage());
    }

    private static RandomSearch randomSearch(long seed) {
        ParamDistributions space = ParamDistributions.builder()
                .add("lr", Distribution.logUniform(1e-3, 1e-1))
                .add("hidden", Distribution.intRange(4, 12))
                .add("dropout", Distribution.uniform(0, 0.3))
                .choice("weight_decay", 0.0, 1e-2).build();
        return RandomSearch.builder(space, 3, SearchTest::mlp, cv(3)).trainer(p -> trainer(p).withEpochs(3)).seed(seed).build();
    }

    @Test
    void randomSearchIsReproducibleWithASeed() {
        List<Params> a = randomSearch(11).candidates();
        assertEquals(3, a.size());
        assertEquals(a, randomSearch(11).candidates());
        assertNotEquals(a, randomSearch(12).candidates());
        for (Params p : a) {
            assertTrue(p.getDouble("lr") >= 1e-3 && p.getDouble("lr") < 1e-1, p.toString());
            assertTrue(p.getInt("hidden") >= 4 && p.getInt("hidden") <= 12, p.toString());
            assertEquals(List.of("lr", "hidden", "dropout", "weight_decay"), List.copyOf(p.keys()));
        }
        SearchResult first = randomSearch(11).run(IRIS);
        SearchResult second = randomSearch(11).run(IRIS);
        assertEquals(first.bestParams(), second.bestParams());
        for (int i = 0; i < 3; i++) {
            assertEquals(first.candidates().get(i).params(), second.candidates().get(i).params());
            assertEquals(first.candidates().get(i).score(), second.candidates().get(i).score(), "same seed, same scores");
        }
    }

    @Test
    void nestedCrossValidationScoresTheWinnerOfEachInnerSearchOnHeldOutFolds() {
        ParamGrid grid = ParamGrid.builder().add("lr", 1e-5, 0.03).build();
        GridSearch inner = GridSearch.builder(grid, SearchTest::mlp, cv(3)).trainer(SearchTest::trainer).build();
        NestedResult r = new NestedCrossValidation(new StratifiedKFold(3, true, 5), inner).run(IRIS);
        assertEquals(3, r.folds().size());
        for (NestedResult.OuterFold f : r.folds()) {
            assertEquals(100, f.fold().trainSize());
            assertEquals(2, f.search().candidates().size());
            assertEquals(0.03, f.bestParams().getDouble("lr"), 1e-12, r.table());
            assertEquals(f.fold(), f.outer().fold());
        }
        assertTrue(r.score().mean() > 0.8, r.table());
        assertEquals(r.score("accuracy"), r.score());
        assertEquals(List.of("accuracy", "loss"), r.metricNames());
        assertEquals(3, r.chosenParams().get(Params.of("lr", 0.03)));
        assertTrue(r.table().contains("nested estimate of accuracy"), r.table());
    }

    @Test
    void nestedCrossValidationWithGroupsSplitsEachOuterTrainingPartByItsOwnGroups() {
        int[] groups = new int[IRIS.size()];
        for (int i = 0; i < groups.length; i++) {
            groups[i] = i % 10;
        }
        CrossValidation inner = CrossValidation.builder(new GroupKFold(2).withGroups(groups)).metrics(Metric::accuracy).build();
        GridSearch search = GridSearch.builder(ParamGrid.builder().add("lr", 0.03).build(), SearchTest::mlp, inner)
                .trainer(p -> trainer(p).withEpochs(2)).build();
        NestedResult r = new NestedCrossValidation(new GroupKFold(3).withGroups(groups), search).run(IRIS);
        for (NestedResult.OuterFold f : r.folds()) {
            // The outer training part holds 6 or 7 of the 10 groups; the inner 2 folds each test whole groups of it.
            for (Fold innerFold : f.search().best().cv().folds().stream().map(FoldResult::fold).toList()) {
                assertEquals(f.fold().trainSize(), innerFold.trainSize() + innerFold.testSize());
                java.util.Set<Integer> trainGroups = new java.util.HashSet<>();
                for (int i : innerFold.train()) {
                    trainGroups.add(groups[f.fold().train()[i]]);
                }
                for (int i : innerFold.test()) {
                    assertTrue(!trainGroups.contains(groups[f.fold().train()[i]]), "group split in an inner fold");
                }
            }
        }
    }
}
