package dev.tessera.nn.selection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.Generator;
import dev.tessera.KernelThreads;
import dev.tessera.Tensor;
import dev.tessera.nn.Dropout;
import dev.tessera.nn.Linear;
import dev.tessera.nn.Module;
import dev.tessera.nn.ReLU;
import dev.tessera.nn.Sequential;
import dev.tessera.nn.data.Dataset;
import dev.tessera.nn.data.Datasets;
import dev.tessera.nn.data.TensorDataset;
import dev.tessera.nn.metrics.Metric;
import dev.tessera.nn.metrics.Metrics;
import dev.tessera.nn.optim.Adam;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Cross-validation end to end on the bundled iris data with a tiny model. */
class CrossValidationTest {
    static final TensorDataset IRIS = Datasets.iris();

    /** Multinomial logistic regression, initialised from the fold's seed. */
    static Module logistic(Params p) {
        return new Linear(4, 3, true, new Generator(p.seed()));
    }

    static TrainerConfig config(int epochs) {
        return TrainerConfig.builder().epochs(epochs).batchSize(16).optimizer(ps -> new Adam(ps, 0.05f)).seed(1).build();
    }

    private static CrossValidation.Builder cv(Splitter splitter) {
        return CrossValidation.builder(splitter).trainer(config(10)).metrics(Metric::accuracy)
                .preprocessor(Preprocessor.standardize());
    }

    @Test
    void logisticRegressionOnIrisScoresAboveEightyFivePercentWithTimesPerFold() {
        CrossValidationResult r = cv(new StratifiedKFold(5, true, 0)).build().run(CrossValidationTest::logistic, IRIS);
        assertEquals(5, r.numFolds());
        assertEquals(List.of("accuracy", "loss"), r.metricNames());
        assertTrue(r.mean("accuracy") > 0.85, r.summary());
        double[] acc = r.scores("accuracy");
        assertEquals(Score.of(acc), r.score("accuracy"));
        assertTrue(r.std("accuracy") >= 0 && r.std("accuracy") < 0.1, r.summary());
        assertTrue(r.higherIsBetter("accuracy") && !r.higherIsBetter("loss"));
        assertEquals(5, r.trainSeconds().length);
        assertTrue(Arrays.stream(r.trainSeconds()).allMatch(t -> t > 0), Arrays.toString(r.trainSeconds()));
        assertTrue(r.totalSeconds() >= Arrays.stream(r.trainSeconds()).sum() * 0.99);
        for (FoldResult f : r.folds()) {
            assertEquals(30, f.fold().testSize());
            assertEquals(10, f.history().size(), "one history row per epoch");
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> r.scores("f1"));
        assertTrue(e.getMessage().contains("accuracy"), e.getMessage());
    }

    @Test
    void theStaticShortcutRunsWithoutPreprocessing() {
        CrossValidationResult r = CrossValidation.run(CrossValidationTest::logistic, IRIS, new KFold(3, true, 5), config(8),
                Metric::accuracy, () -> Metric.macroF1(3));
        assertEquals(List.of("accuracy", "macroF1", "loss"), r.metricNames());
        assertTrue(r.mean("accuracy") > 0.7, r.summary());
    }

    /** Records the first feature (the example's index) of everything it is fitted on and applied to. */
    private static final class Recorder implements Preprocessor {
        private static final long serialVersionUID = 1L;
        final List<int[]> fittedOn = Collections.synchronizedList(new ArrayList<>());
        final List<Integer> transformed = Collections.synchronizedList(new ArrayList<>());

        @Override
        public UnaryOperator<Tensor> fit(Dataset train) {
            int[] all = Splits.range(0, train.size());
            fittedOn.add(firstColumn(train.get(all).features()));
            UnaryOperator<Tensor> scaler = Preprocessor.standardize().fit(train);
            return x -> {
                for (int i : firstColumn(x)) {
                    transformed.add(i);
                }
                return scaler.apply(x);
            };
        }

        private static int[] firstColumn(Tensor x) {
            float[] v = x.toFloatArray();
            int cols = x.size(1);
            int[] out = new int[x.size(0)];
            for (int r = 0; r < out.length; r++) {
                out[r] = Math.round(v[r * cols]);
            }
            Arrays.sort(out);
            return out;
        }
    }

    @Test
    void preprocessingIsFittedOnTheTrainingPartOfEachFoldOnly() {
        // Iris with a first column holding each example's index, so the preprocessor can say what it saw.
        int n = IRIS.size();
        float[] x = IRIS.features().toFloatArray();
        float[] withIndex = new float[n * 5];
        for (int i = 0; i < n; i++) {
            withIndex[i * 5] = i;
            System.arraycopy(x, i * 4, withIndex, i * 5 + 1, 4);
        }
        TensorDataset data = new TensorDataset(Tensor.of(withIndex, n, 5), IRIS.targets());
        Recorder recorder = new Recorder();
        Splitter splitter = new StratifiedKFold(4, true, 2);
        CrossValidationResult r = CrossValidation.builder(splitter).trainer(config(2)).metrics(Metric::accuracy)
                .preprocessor(recorder).build().run(p -> new Linear(5, 3, true, new Generator(p.seed())), data);
        List<Fold> folds = splitter.split(data);
        assertEquals(4, recorder.fittedOn.size());
        for (int f = 0; f < 4; f++) {
            assertArrayEquals(folds.get(f).train(), recorder.fittedOn.get(f), "fold " + f + " fitted on its training part");
            assertEquals(folds.get(f), r.folds().get(f).fold());
        }
        // Every example was transformed at test time by the scaler of the fold that tested it (and no other).
        assertTrue(recorder.transformed.containsAll(Arrays.stream(Splits.range(0, n)).boxed().toList()));
    }

    @ParameterizedTest(name = "parallelism={0}")
    @ValueSource(ints = {1, 2})
    void aFactoryReturningTheSameModelFailsLoudly(int parallelism) {
        Linear shared = new Linear(4, 3);
        CrossValidation cv = cv(new KFold(3)).trainer(config(1)).parallelism(parallelism).build();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> cv.run(p -> shared, IRIS));
        assertTrue(e.getMessage().contains("the model itself") && e.getMessage().contains("is shared with the model built for fold"),
                e.getMessage());
    }

    @Test
    void aFactorySharingALayerATensorOrADropoutGeneratorFailsLoudly() {
        CrossValidation cv = cv(new KFold(3)).trainer(config(1)).build();
        Linear layer = new Linear(8, 3);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> cv.run(p -> new Sequential(new Linear(4, 8), new ReLU(), layer), IRIS));
        assertTrue(e.getMessage().contains("submodule '2'") && e.getMessage().contains("fold 0"), e.getMessage());

        Tensor weight = Tensor.zeros(3, 4);
        e = assertThrows(IllegalStateException.class, () -> cv.run(p -> new Holder(weight), IRIS));
        assertTrue(e.getMessage().contains("parameter 'weight'"), e.getMessage());

        // A detached view of one shared tensor: another object, the same memory.
        Tensor base = Tensor.zeros(3, 4);
        e = assertThrows(IllegalStateException.class, () -> cv.run(p -> new Holder(base.detach()), IRIS));
        assertTrue(e.getMessage().contains("parameter 'weight'"), e.getMessage());

        Generator generator = new Generator(1);
        e = assertThrows(IllegalStateException.class,
                () -> cv.run(p -> new Sequential(new Linear(4, 3), new Dropout(0.1, generator)), IRIS));
        assertTrue(e.getMessage().contains("random generator of '1'"), e.getMessage());
    }

    /** A model built around a given weight tensor: a factory that passes the same tensor every time shares state. */
    private static final class Holder extends Module {
        Holder(Tensor weight) {
            registerParameter("weight", weight);
        }

        @Override
        public Tensor forward(Tensor input) {
            return input.matmul(parameter("weight").t());
        }
    }

    @Test
    void parallelFoldsGiveTheSameScoresAsSequentialOnes() {
        CrossValidationResult sequential = cv(new KFold(4, true, 3)).build().run(CrossValidationTest::logistic, IRIS);
        CrossValidationResult parallel = cv(new KFold(4, true, 3)).parallelism(2).build().run(CrossValidationTest::logistic, IRIS);
        assertArrayEquals(sequential.scores("accuracy"), parallel.scores("accuracy"));
        assertArrayEquals(sequential.scores("loss"), parallel.scores("loss"), 1e-6);
    }

    /**
     * Folds on several threads each get their share of the processors for their kernels (at least
     * one), so they do not compete for the backend's shared threads; the caller's limit is untouched.
     */
    @ParameterizedTest(name = "parallelism={0}")
    @ValueSource(ints = {2, 3})
    void parallelFoldsLimitTheirKernelsToTheirShareOfTheProcessors(int parallelism) {
        List<Integer> limits = Collections.synchronizedList(new ArrayList<>());
        cv(new KFold(3)).trainer(config(1)).parallelism(parallelism).build().run(p -> {
            limits.add(KernelThreads.current());
            return logistic(p);
        }, IRIS);
        int share = Math.max(1, Runtime.getRuntime().availableProcessors() / parallelism);
        assertEquals(List.of(share, share, share), limits);
        assertEquals(Integer.MAX_VALUE, KernelThreads.current());
    }

    @Test
    void modelsAndOutOfFoldPredictionsAreKeptOnRequest() {
        CrossValidationResult r = cv(new StratifiedKFold(5, true, 4)).keepModels(true).keepPredictions(true).build()
                .run(CrossValidationTest::logistic, IRIS);
        List<Module> models = r.models();
        assertEquals(5, models.size());
        assertNotSame(models.get(0), models.get(1));
        Tensor oof = r.outOfFoldPredictions();
        assertArrayEquals(new int[] {150, 3}, oof.shape());
        // Equal folds of 30: the accuracy of the out-of-fold predictions is the mean fold accuracy.
        assertEquals(r.mean("accuracy"), Metrics.accuracy(oof, IRIS.targets()), 1e-9);
        // Row i is fold f's output for example i.
        FoldResult f1 = r.folds().get(1);
        int example = f1.fold().test()[7];
        assertArrayEquals(f1.predictions().slice(0, 7, 8).toFloatArray(), oof.slice(0, example, example + 1).toFloatArray());

        CrossValidationResult plain = cv(new ShuffleSplit(2, 0.3, 1)).keepPredictions(true).build()
                .run(CrossValidationTest::logistic, IRIS);
        IllegalStateException e = assertThrows(IllegalStateException.class, plain::outOfFoldPredictions);
        assertTrue(e.getMessage().contains("exactly once"), e.getMessage());
        assertThrows(IllegalStateException.class, plain::models);
    }
}
