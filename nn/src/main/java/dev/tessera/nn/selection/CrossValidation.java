package dev.tessera.nn.selection;

import dev.tessera.Generator;
import dev.tessera.Tensor;
import dev.tessera.nn.Module;
import dev.tessera.nn.data.DataLoader;
import dev.tessera.nn.data.Dataset;
import dev.tessera.nn.metrics.Metric;
import dev.tessera.nn.train.History;
import dev.tessera.nn.train.Trainer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * K-fold style cross-validation of a model: for every {@link Fold} of a {@link Splitter}, a new
 * model from the {@link ModelFactory} is trained on the fold's training part and scored on its test
 * part; the result holds each metric per fold, mean and standard deviation, training times and,
 * optionally, the models and out-of-fold predictions.
 *
 * <pre>{@code
 * CrossValidationResult r = CrossValidation.builder(new StratifiedKFold(10, true, 42))
 *         .trainer(TrainerConfig.builder().epochs(30).batchSize(16).build())
 *         .metrics(Metric::accuracy).preprocessor(Preprocessor.standardize()).build()
 *         .run(p -> new Linear(13, 3), Datasets.wine());
 * System.out.println(r.score("accuracy"));   // 0.9719 ± 0.0375
 * }</pre>
 *
 * <p>Per fold: the {@link Preprocessor} is fitted on the training part only; the factory is called
 * once, with {@link Params#seed()} derived from the trainer seed and the fold index, and the model
 * it returns must share no module, tensor or generator with an earlier fold's (checked: an {@link
 * IllegalStateException} otherwise); training uses {@link TrainerConfig#newTrainer}, shuffling
 * with a seed derived the same way. Training and test parts are lazy {@link Dataset#subset} views.
 *
 * <p>With {@link Builder#parallelism(int)} above 1, folds train on that many threads (Tessera
 * tensors are safe to use from several threads for independent models, and grad mode is per
 * thread); the results are the same as sequentially, in fold order, as long as the factory builds
 * its layers from {@link Params#seed()} rather than the global {@link dev.tessera.nn.Random} stream.
 * Metrics are given as suppliers ({@code Metric::accuracy}) because every fold needs its own.
 */
public final class CrossValidation {
    private static final Logger LOG = LoggerFactory.getLogger(CrossValidation.class);
    private static final int EVAL_BATCH = 512;

    private final Splitter splitter;
    private final TrainerConfig trainer;
    private final List<MetricFactory> metrics;
    private final Preprocessor preprocessor;
    private final int parallelism;
    private final boolean keepModels;
    private final boolean keepPredictions;

    private CrossValidation(Builder b) {
        this.splitter = b.splitter;
        this.trainer = b.trainer;
        this.metrics = List.copyOf(b.metrics);
        this.preprocessor = b.preprocessor;
        this.parallelism = b.parallelism;
        this.keepModels = b.keepModels;
        this.keepPredictions = b.keepPredictions;
    }

    /**
     * Starts configuring a cross-validation with {@code splitter}.
     *
     * @throws IllegalArgumentException if the splitter is null
     */
    public static Builder builder(Splitter splitter) {
        return new Builder(splitter);
    }

    /**
     * Cross-validates the models of {@code modelFactory} (called with {@link Params#empty()}) on
     * {@code dataset}, split by {@code splitter}, trained as {@code trainerConfig} says, scored with
     * {@code metrics}; no preprocessing, folds run one after another. Does not modify the dataset.
     *
     * @throws IllegalArgumentException if the split is impossible
     * @throws IllegalStateException    if the factory returns a model sharing state with an earlier fold's
     */
    public static CrossValidationResult run(ModelFactory modelFactory, Dataset dataset, Splitter splitter,
                                            TrainerConfig trainerConfig, MetricFactory... metrics) {
        return builder(splitter).trainer(trainerConfig).metrics(metrics).build().run(modelFactory, dataset);
    }

    /** Returns the splitter. */
    public Splitter splitter() {
        return splitter;
    }

    /** Returns the trainer configuration used by {@link #run(ModelFactory, Dataset)}. */
    public TrainerConfig trainer() {
        return trainer;
    }

    /** Returns the metric suppliers (unmodifiable). */
    public List<MetricFactory> metrics() {
        return metrics;
    }

    /** Returns the preprocessor. */
    public Preprocessor preprocessor() {
        return preprocessor;
    }

    /** Returns a copy of this configuration with another splitter (used by nested cross-validation). */
    public CrossValidation withSplitter(Splitter other) {
        return toBuilder().splitter(other).build();
    }

    /** Returns a copy of this configuration that keeps (or drops) the per-fold models and predictions. */
    public CrossValidation keeping(boolean models, boolean predictions) {
        return toBuilder().keepModels(models).keepPredictions(predictions).build();
    }

    /** Returns true when runs keep every fold's model. */
    boolean keepsModels() {
        return keepModels;
    }

    /** Returns true when runs keep every fold's test outputs. */
    boolean keepsPredictions() {
        return keepPredictions;
    }

    private Builder toBuilder() {
        Builder b = new Builder(splitter);
        b.trainer = trainer;
        b.metrics.addAll(metrics);
        b.preprocessor = preprocessor;
        b.parallelism = parallelism;
        b.keepModels = keepModels;
        b.keepPredictions = keepPredictions;
        return b;
    }

    /**
     * Cross-validates the models of {@code modelFactory} (called with {@link Params#empty()}) on
     * {@code dataset} (not modified) with this configuration's trainer.
     *
     * @throws IllegalArgumentException if the split is impossible
     * @throws IllegalStateException    if the factory returns a model sharing state with an earlier fold's
     */
    public CrossValidationResult run(ModelFactory modelFactory, Dataset dataset) {
        return run(modelFactory, Params.empty(), trainer, dataset);
    }

    /**
     * Cross-validates the models {@code modelFactory} builds from {@code params}, trained as {@code
     * config} says, on {@code dataset} (not modified).
     *
     * @throws IllegalArgumentException if the split is impossible
     * @throws IllegalStateException    if the factory returns a model sharing state with an earlier fold's
     */
    public CrossValidationResult run(ModelFactory modelFactory, Params params, TrainerConfig config, Dataset dataset) {
        return run(modelFactory, params, config, dataset, new ModelGuard(), "");
    }

    /** The run shared with the searches: {@code guard} spans all their candidates; {@code label} prefixes fold names. */
    CrossValidationResult run(ModelFactory modelFactory, Params params, TrainerConfig config, Dataset dataset,
                              ModelGuard guard, String label) {
        if (modelFactory == null || params == null || config == null || dataset == null) {
            throw new IllegalArgumentException("CrossValidation.run: modelFactory, params, config and dataset are required");
        }
        List<Fold> folds = splitter.split(dataset);
        Map<String, Boolean> directions = metricDirections();
        long start = System.nanoTime();
        List<FoldResult> results = Parallel.map(folds.size(), Math.min(parallelism, folds.size()), i ->
                runFold(modelFactory, params, config, dataset, folds.get(i), i, guard, label + "fold " + i));
        double total = (System.nanoTime() - start) / 1e9;
        CrossValidationResult r = result(params, dataset.size(), directions, results, total);
        LOG.debug("{}{}: {}", label, params, r.summary());
        return r;
    }

    /** Puts the folds' results together, in fold order, with the metrics' names and directions. */
    CrossValidationResult result(Params params, int numExamples, Map<String, Boolean> directions, List<FoldResult> results,
                                 double totalSeconds) {
        return new CrossValidationResult(params, splitter.toString(), numExamples, new ArrayList<>(directions.keySet()),
                directions, results, totalSeconds);
    }

    /** Returns every metric's name and direction, then the loss's, checking the suppliers. */
    Map<String, Boolean> metricDirections() {
        Map<String, Boolean> directions = new LinkedHashMap<>();
        for (Metric m : newMetrics()) {
            if (directions.put(m.name(), m.higherIsBetter()) != null || m.name().equals("loss")) {
                throw new IllegalArgumentException("CrossValidation: metric name '" + m.name() + "' is used twice"
                        + " ('loss' is reserved for the test loss)");
            }
        }
        directions.put("loss", false);
        return directions;
    }

    private List<Metric> newMetrics() {
        List<Metric> list = new ArrayList<>();
        for (MetricFactory s : metrics) {
            Metric m = s.get();
            if (m == null) {
                throw new IllegalArgumentException("CrossValidation: a metric supplier returned null");
            }
            list.add(m);
        }
        return list;
    }

    /** Derives the seed of fold {@code index} from the trainer seed: decorrelated, the same on every run. */
    static long foldSeed(long seed, int index) {
        return new Generator(seed + 0x632BE59BD9B4E019L * (index + 1L)).nextLong();
    }

    /**
     * Trains a model on {@code fold}'s training part of {@code data} and scores it on its test part;
     * shared with {@link NestedCrossValidation}'s outer folds.
     */
    FoldResult runFold(ModelFactory modelFactory, Params params, TrainerConfig config, Dataset data, Fold fold, int index,
                       ModelGuard guard, String owner) {
        long seed = foldSeed(config.seed(), index);
        Dataset trainPart = data.subset(fold.train());
        UnaryOperator<Tensor> transform = preprocessor.fit(trainPart);
        if (transform == null) {
            throw new IllegalArgumentException("CrossValidation: the preprocessor returned a null transform");
        }
        Dataset train = TransformedDataset.of(trainPart, transform);
        Dataset test = TransformedDataset.of(data.subset(fold.test()), transform);
        Module model = modelFactory.create(params.withSeed(seed));
        guard.register(model, owner);
        Trainer t = config.newTrainer(model, newMetrics());
        long start = System.nanoTime();
        History history = t.fit(new DataLoader(train, config.batchSize(), true, seed), null);
        double seconds = (System.nanoTime() - start) / 1e9;
        DataLoader testLoader = new DataLoader(test, EVAL_BATCH, false, 0);
        Map<String, Double> evaluated = t.evaluate(testLoader);
        Map<String, Double> scores = new LinkedHashMap<>();
        evaluated.forEach((k, v) -> {
            if (!k.equals("loss")) {
                scores.put(k, v);
            }
        });
        scores.put("loss", evaluated.get("loss"));
        Tensor predictions = keepPredictions ? t.predict(testLoader) : null;
        LOG.debug("{}: {} in {} s", owner, scores, String.format(java.util.Locale.ROOT, "%.2f", seconds));
        return new FoldResult(index, fold, Collections.unmodifiableMap(scores), seconds, history,
                keepModels ? model : null, predictions);
    }

    /**
     * Trains one model from {@code params} on all of {@code data}, with the preprocessor fitted on
     * all of it (a search's refit); the seed is derived as for a fold numbered -1.
     */
    FittedModel fitAll(ModelFactory modelFactory, Params params, TrainerConfig config, Dataset data, ModelGuard guard,
                       String owner) {
        long seed = foldSeed(config.seed(), -1);
        UnaryOperator<Tensor> transform = preprocessor.fit(data);
        if (transform == null) {
            throw new IllegalArgumentException("CrossValidation: the preprocessor returned a null transform");
        }
        Module model = modelFactory.create(params.withSeed(seed));
        guard.register(model, owner);
        Trainer t = config.newTrainer(model, newMetrics());
        History history = t.fit(new DataLoader(TransformedDataset.of(data, transform), config.batchSize(), true, seed), null);
        return new FittedModel(model, transform, params, history);
    }

    @Override
    public String toString() {
        return "CrossValidation(" + splitter + ", " + metrics.size() + " metrics, parallelism=" + parallelism + ")";
    }

    /** Configures a {@link CrossValidation}; every setter returns this builder. */
    public static final class Builder {
        private Splitter splitter;
        private TrainerConfig trainer = TrainerConfig.defaults();
        private final List<MetricFactory> metrics = new ArrayList<>();
        private Preprocessor preprocessor = Preprocessor.none();
        private int parallelism = 1;
        private boolean keepModels;
        private boolean keepPredictions;

        private Builder(Splitter splitter) {
            splitter(splitter);
        }

        /** Replaces the splitter. */
        public Builder splitter(Splitter value) {
            if (value == null) {
                throw new IllegalArgumentException("CrossValidation: the splitter is required");
            }
            this.splitter = value;
            return this;
        }

        /** Sets how every fold's model is trained (default {@link TrainerConfig#defaults()}). */
        public Builder trainer(TrainerConfig value) {
            if (value == null) {
                throw new IllegalArgumentException("CrossValidation: the trainer configuration must not be null");
            }
            this.trainer = value;
            return this;
        }

        /** Adds metrics, each supplier returning a new instance ({@code Metric::accuracy}). */
        public Builder metrics(MetricFactory... values) {
            for (MetricFactory s : values) {
                if (s == null) {
                    throw new IllegalArgumentException("CrossValidation: a metric supplier is null");
                }
                metrics.add(s);
            }
            return this;
        }

        /** Sets the preprocessing fitted on each fold's training part (default none). */
        public Builder preprocessor(Preprocessor value) {
            if (value == null) {
                throw new IllegalArgumentException("CrossValidation: the preprocessor must not be null (use Preprocessor.none())");
            }
            this.preprocessor = value;
            return this;
        }

        /** Sets how many folds train at once on separate threads (default 1: one after another). */
        public Builder parallelism(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("CrossValidation: parallelism must be at least 1, got " + threads);
            }
            this.parallelism = threads;
            return this;
        }

        /** Keeps every fold's trained model in the result (default false: they are dropped). */
        public Builder keepModels(boolean value) {
            this.keepModels = value;
            return this;
        }

        /** Keeps every fold's test outputs, for {@link CrossValidationResult#outOfFoldPredictions()} (default false). */
        public Builder keepPredictions(boolean value) {
            this.keepPredictions = value;
            return this;
        }

        /** Returns the configured cross-validation. */
        public CrossValidation build() {
            return new CrossValidation(this);
        }
    }
}
