package dev.tessera.spark;

import dev.tessera.Tensor;
import dev.tessera.nn.Module;
import dev.tessera.nn.data.Dataset;
import dev.tessera.nn.io.SafeTensors;
import dev.tessera.nn.selection.CrossValidation;
import dev.tessera.nn.selection.CrossValidationResult;
import dev.tessera.nn.selection.Fold;
import dev.tessera.nn.selection.FoldResult;
import dev.tessera.nn.selection.FoldTasks;
import dev.tessera.nn.selection.HyperparameterSearch;
import dev.tessera.nn.selection.ModelFactory;
import dev.tessera.nn.selection.Params;
import dev.tessera.nn.selection.SearchResult;
import dev.tessera.nn.selection.TrainerConfig;
import dev.tessera.nn.train.History;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver side of distributed cross-validation and search: splits on the driver, broadcasts the
 * data and folds once as safetensors bytes, runs one Spark task per (candidate, fold) pair and puts
 * the outcomes together with {@link FoldTasks} into the same result types as the local runs.
 */
final class DistributedSelection {
    private static final Logger LOG = LoggerFactory.getLogger(DistributedSelection.class);

    private DistributedSelection() {
    }

    /** Cross-validates the models of {@code factory} built from {@code params}, one Spark task per fold. */
    static CrossValidationResult crossValidate(JavaSparkContext jsc, CrossValidation cv, ModelFactory factory, Params params,
                                               TrainerConfig config, Dataset data) {
        if (cv == null || factory == null || params == null || config == null || data == null) {
            throw new IllegalArgumentException("SparkExecutor.crossValidate: cv, modelFactory, params, config and dataset"
                    + " are required");
        }
        long start = System.nanoTime();
        List<List<FoldResult>> folds = run(jsc, "cross-validation", cv, factory, List.of(params), List.of(config), data);
        return FoldTasks.result(cv, params, data.size(), folds.get(0), (System.nanoTime() - start) / 1e9);
    }

    /** Runs {@code search}: every (candidate, fold) pair is one Spark task; ranking and any refit happen here. */
    static SearchResult search(JavaSparkContext jsc, HyperparameterSearch search, Dataset data) {
        if (search == null || data == null) {
            throw new IllegalArgumentException("SparkExecutor.search: the search and the dataset are required");
        }
        long start = System.nanoTime();
        List<Params> candidates = search.candidates();
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException(search.getClass().getSimpleName() + ": no candidates to evaluate");
        }
        List<TrainerConfig> configs = new ArrayList<>();
        for (Params p : candidates) {
            configs.add(FoldTasks.trainerFor(search, p));
        }
        CrossValidation cv = search.cv();
        List<List<FoldResult>> folds = run(jsc, search.getClass().getSimpleName(), cv, FoldTasks.modelFactory(search),
                candidates, configs, data);
        List<CrossValidationResult> results = new ArrayList<>();
        for (int c = 0; c < candidates.size(); c++) {
            double seconds = 0;
            for (FoldResult f : folds.get(c)) {
                seconds += f.trainSeconds();
            }
            results.add(FoldTasks.result(cv, candidates.get(c), data.size(), folds.get(c), seconds));
        }
        return FoldTasks.result(search, data, results, start);
    }

    /** Runs every candidate's every fold as one Spark task; returns the fold results per candidate, in order. */
    private static List<List<FoldResult>> run(JavaSparkContext jsc, String what, CrossValidation cv, ModelFactory factory,
                                              List<Params> candidates, List<TrainerConfig> configs, Dataset data) {
        List<Fold> folds = cv.splitter().split(data);
        List<FoldTask> tasks = new ArrayList<>();
        for (int c = 0; c < candidates.size(); c++) {
            for (int f = 0; f < folds.size(); f++) {
                tasks.add(new FoldTask(c, f, candidates.get(c), configs.get(c)));
            }
        }
        SparkFailures.checkSerializable("the model factory", factory);
        SparkFailures.checkSerializable("the metric factories", new ArrayList<>(cv.metrics()));
        SparkFailures.checkSerializable("the preprocessor", cv.preprocessor());
        for (int c = 0; c < candidates.size(); c++) {
            SparkFailures.checkSerializable("the trainer configuration or parameters of candidate " + c + " "
                    + candidates.get(c), tasks.get(c * folds.size()));
        }
        long start = System.nanoTime();
        Broadcast<byte[]> shared = jsc.broadcast(SharedData.pack(data, folds));
        String key = "data-" + UUID.randomUUID();
        try {
            FoldJob job = new FoldJob(cv, factory, key, shared);
            jsc.setJobDescription(String.format(Locale.ROOT, "tessera %s: %d candidates x %d folds", what,
                    candidates.size(), folds.size()));
            List<FoldOutcome> outcomes = SparkFailures.run(what, () ->
                    jsc.parallelize(tasks, tasks.size()).map(job::run).collect());
            LOG.info("{}: {} tasks ({} candidates x {} folds) in {} s", what, tasks.size(), candidates.size(), folds.size(),
                    String.format(Locale.ROOT, "%.2f", (System.nanoTime() - start) / 1e9));
            List<List<FoldResult>> perCandidate = new ArrayList<>();
            for (int c = 0; c < candidates.size(); c++) {
                perCandidate.add(new ArrayList<>());
            }
            for (FoldOutcome o : outcomes) {
                perCandidate.get(o.candidate()).add(foldResult(o, folds.get(o.fold()), factory,
                        candidates.get(o.candidate()), configs.get(o.candidate())));
            }
            return perCandidate;
        } finally {
            jsc.setJobDescription(null);
            shared.destroy();
            ExecutorCache.remove(key);
        }
    }

    /** Rebuilds a fold's result on the driver; a kept model is rebuilt by the factory and loaded with the trained state. */
    private static FoldResult foldResult(FoldOutcome o, Fold fold, ModelFactory factory, Params params, TrainerConfig config) {
        History history = new History();
        o.history().forEach(history::add);
        Module model = null;
        Tensor predictions = null;
        if (o.tensors() != null) {
            SafeTensors.Contents c = SafeTensorBytes.decode(o.tensors());
            Map<String, Tensor> state = new LinkedHashMap<>();
            c.tensors().forEach((k, v) -> {
                if (k.startsWith("model.")) {
                    state.put(k.substring("model.".length()), v);
                }
            });
            if (!state.isEmpty()) {
                model = factory.create(params.withSeed(FoldTasks.foldSeed(config.seed(), o.fold())));
                model.loadStateDict(state);
                model.eval();
            }
            predictions = c.tensors().get("predictions");
        }
        return new FoldResult(o.fold(), fold, Collections.unmodifiableMap(new LinkedHashMap<>(o.scores())),
                o.trainSeconds(), history, model, predictions);
    }
}
