package dev.tessera.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.Generator;
import dev.tessera.nn.Linear;
import dev.tessera.nn.Module;
import dev.tessera.nn.ReLU;
import dev.tessera.nn.Sequential;
import dev.tessera.nn.data.Datasets;
import dev.tessera.nn.data.TensorDataset;
import dev.tessera.nn.metrics.Metric;
import dev.tessera.nn.optim.Adam;
import dev.tessera.nn.selection.Candidate;
import dev.tessera.nn.selection.CrossValidation;
import dev.tessera.nn.selection.CrossValidationResult;
import dev.tessera.nn.selection.Distribution;
import dev.tessera.nn.selection.FoldResult;
import dev.tessera.nn.selection.GridSearch;
import dev.tessera.nn.selection.HyperparameterSearch;
import dev.tessera.nn.selection.ParamDistributions;
import dev.tessera.nn.selection.ParamGrid;
import dev.tessera.nn.selection.Params;
import dev.tessera.nn.selection.Preprocessor;
import dev.tessera.nn.selection.RandomSearch;
import dev.tessera.nn.selection.SearchResult;
import dev.tessera.nn.selection.StratifiedKFold;
import dev.tessera.nn.selection.TrainerConfig;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkContext;
import org.apache.spark.TaskContext;
import org.apache.spark.TaskKilled;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Distributed cross-validation and search on {@code local[2]} against the local runs of the same
 * configuration, the oracle: per-fold scores must be identical, not close. The Spark session is
 * shared by the module's test classes ({@link SharedSpark}).
 */
@ExtendWith(SharedSpark.class)
class DistributedSelectionTest {
    private static final TensorDataset WINE = Datasets.wine();
    private static SparkExecutor exec;

    @BeforeAll
    static void start(SparkExecutor shared) {
        exec = shared;
    }

    static Module mlp(int hidden, long seed) {
        Generator g = new Generator(seed);
        return new Sequential(new Linear(13, hidden, true, g), new ReLU(), new Linear(hidden, 3, true, g));
    }

    private static CrossValidation.Builder cv(int folds) {
        return CrossValidation.builder(new StratifiedKFold(folds, true, 5))
                .trainer(TrainerConfig.builder().epochs(4).batchSize(16).seed(11).optimizer(ps -> new Adam(ps, 0.02f)).build())
                .metrics(Metric::accuracy, () -> Metric.macroF1(3)).preprocessor(Preprocessor.standardize());
    }

    private static void assertSameFolds(CrossValidationResult local, CrossValidationResult distributed) {
        assertEquals(local.metricNames(), distributed.metricNames());
        assertEquals(local.numFolds(), distributed.numFolds());
        assertEquals(local.params(), distributed.params());
        for (int i = 0; i < local.numFolds(); i++) {
            FoldResult a = local.folds().get(i);
            FoldResult b = distributed.folds().get(i);
            assertEquals(a.scores(), b.scores(), "fold " + i); // exact: Double.equals
            assertEquals(a.fold(), b.fold(), "fold " + i);
            assertEquals(a.history().epochs(), b.history().epochs(), "fold " + i);
        }
        for (String m : local.metricNames()) {
            assertEquals(local.score(m), distributed.score(m), m);
        }
    }

    @Test
    void crossValidationGivesTheLocalPerFoldScores() {
        CrossValidation c = cv(5).keepPredictions(true).keepModels(true).build();
        CrossValidationResult local = c.run(p -> mlp(8, p.seed()), WINE);
        CrossValidationResult distributed = exec.crossValidate(c, p -> mlp(8, p.seed()), WINE);
        assertSameFolds(local, distributed);
        assertArrayEquals(local.outOfFoldPredictions().toFloatArray(), distributed.outOfFoldPredictions().toFloatArray());
        for (int i = 0; i < local.numFolds(); i++) {
            Module a = local.models().get(i);
            Module b = distributed.models().get(i);
            for (String k : a.stateDict().keySet()) {
                assertArrayEquals(a.stateDict().get(k).toFloatArray(), b.stateDict().get(k).toFloatArray(), k);
            }
        }
        assertTrue(local.mean("accuracy") > 0.8, local.summary());
    }

    private static GridSearch.Builder grid(CrossValidation c) {
        ParamGrid grid = ParamGrid.builder().add("lr", 0.005, 0.05).add("hidden", 4, 16).build();
        return GridSearch.builder(grid, p -> mlp(p.getInt("hidden"), p.seed()), c)
                .trainer(p -> TrainerConfig.builder().epochs(3).batchSize(16).seed(3)
                        .optimizer(ps -> new Adam(ps, p.getFloat("lr"))).build())
                .scoring("accuracy");
    }

    private static void assertSameSearch(SearchResult local, SearchResult distributed) {
        assertEquals(local.candidates().size(), distributed.candidates().size());
        for (int i = 0; i < local.candidates().size(); i++) {
            Candidate a = local.candidates().get(i);
            Candidate b = distributed.candidates().get(i);
            assertEquals(a.index(), b.index());
            assertEquals(a.rank(), b.rank());
            assertEquals(a.params(), b.params());
            assertSameFolds(a.cv(), b.cv());
        }
        assertEquals(local.bestParams(), distributed.bestParams());
    }

    @Test
    void gridSearchGivesTheLocalRankingAndScoresAndRefits() {
        GridSearch search = grid(cv(3).build()).refit(true).build();
        SearchResult local = search.run(WINE);
        SearchResult distributed = exec.search(search, WINE);
        assertSameSearch(local, distributed);
        Module a = local.bestModel().model();
        Module b = distributed.bestModel().model();
        for (String k : a.stateDict().keySet()) {
            assertArrayEquals(a.stateDict().get(k).toFloatArray(), b.stateDict().get(k).toFloatArray(), k);
        }
    }

    @Test
    void randomSearchGivesTheLocalScores() {
        ParamDistributions d = ParamDistributions.builder().add("lr", Distribution.logUniform(1e-3, 1e-1)).choice("hidden", 4, 8, 12).build();
        HyperparameterSearch search = RandomSearch.builder(d, 3, p -> mlp(p.getInt("hidden"), p.seed()), cv(3).build())
                .trainer(p -> TrainerConfig.builder().epochs(2).batchSize(32).seed(9)
                        .optimizer(ps -> new Adam(ps, p.getFloat("lr"))).build())
                .seed(17).build();
        assertSameSearch(search.run(WINE), exec.search(search, WINE));
    }

    @Test
    void aFailingTaskFailsTheCallWithTheOriginalException() {
        GridSearch search = GridSearch.builder(ParamGrid.builder().add("hidden", 4, 8).build(), p -> {
            if (p.getInt("hidden") == 8) {
                throw new IllegalArgumentException("no model with 8 hidden units");
            }
            return mlp(p.getInt("hidden"), p.seed());
        }, cv(3).build()).build();
        IllegalArgumentException local = assertThrows(IllegalArgumentException.class, () -> search.run(WINE));
        IllegalArgumentException remote = assertThrows(IllegalArgumentException.class, () -> exec.search(search, WINE));
        assertEquals("no model with 8 hidden units", local.getMessage());
        assertEquals(local.getMessage(), remote.getMessage());
    }

    @Test
    void aLambdaCapturingSomethingUnserializableIsNamed() {
        Object notSerializable = new Object();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                exec.crossValidate(cv(3).build(), p -> notSerializable.hashCode() == 0 ? null : mlp(4, p.seed()), WINE));
        assertTrue(e.getMessage().contains("the model factory") && e.getMessage().contains("java.lang.Object"),
                e.getMessage());
    }

    /** Blocks the first attempt of the job's first task until Spark kills it, as if its executor were lost. */
    static void hangOnFirstAttempt() {
        TaskContext tc = TaskContext.get();
        if (tc == null || tc.partitionId() != 0 || tc.attemptNumber() != 0) {
            return;
        }
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!tc.isInterrupted() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new IllegalStateException("attempt 0 was " + (tc.isInterrupted() ? "killed" : "never killed"));
    }

    @Test
    void aKilledTaskIsRerunAndTheResultIsUnchanged() {
        CrossValidation c = cv(4).build();
        CrossValidationResult local = c.run(p -> mlp(8, p.seed()), WINE);
        SparkContext sc = exec.session().sparkContext();
        AtomicBoolean killed = new AtomicBoolean();
        AtomicInteger killedEnds = new AtomicInteger();
        SparkListener killer = new SparkListener() {
            @Override
            public void onTaskStart(SparkListenerTaskStart e) {
                if (e.taskInfo().index() == 0 && e.taskInfo().attemptNumber() == 0 && killed.compareAndSet(false, true)) {
                    long id = e.taskInfo().taskId();
                    new Thread(() -> sc.killTaskAttempt(id, true, "executor lost (simulated)")).start();
                }
            }

            @Override
            public void onTaskEnd(SparkListenerTaskEnd e) {
                if (e.reason() instanceof TaskKilled) {
                    killedEnds.incrementAndGet();
                }
            }
        };
        sc.addSparkListener(killer);
        try {
            CrossValidationResult distributed = exec.crossValidate(c, p -> {
                hangOnFirstAttempt();
                return mlp(8, p.seed());
            }, WINE);
            assertSameFolds(local, distributed);
        } finally {
            sc.removeSparkListener(killer);
        }
        assertTrue(killed.get());
        long deadline = System.currentTimeMillis() + 10_000;
        while (killedEnds.get() == 0 && System.currentTimeMillis() < deadline) {
            Thread.onSpinWait(); // the listener bus delivers events asynchronously
        }
        assertEquals(1, killedEnds.get());
    }

    @Test
    void aBorrowedSessionOutlivesItsExecutorAndOnlyOneLocalSessionStarts() {
        try (SparkExecutor borrowed = SparkExecutor.of(exec.session())) {
            assertEquals(2, borrowed.parallelism());
        }
        assertFalse(exec.session().sparkContext().isStopped());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> SparkExecutor.local(1));
        assertTrue(e.getMessage().contains("already running"), e.getMessage());
        CrossValidationResult r = exec.crossValidate(cv(2).build(), p -> mlp(4, p.seed()), WINE);
        assertEquals(2, r.numFolds());
    }
}
