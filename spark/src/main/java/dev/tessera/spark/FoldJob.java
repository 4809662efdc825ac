package dev.tessera.spark;

import dev.tessera.KernelThreads;
import dev.tessera.Tensor;
import dev.tessera.nn.selection.CrossValidation;
import dev.tessera.nn.selection.FoldResult;
import dev.tessera.nn.selection.FoldTasks;
import dev.tessera.nn.selection.MetricFactory;
import dev.tessera.nn.selection.ModelFactory;
import dev.tessera.nn.selection.Preprocessor;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.broadcast.Broadcast;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor side of a distributed cross-validation or search: what every fold task shares (the
 * user's model factory, metric factories and preprocessor, shipped as serialized lambdas; the data
 * and folds as a broadcast of safetensors bytes), and {@link #run}, which trains and scores one
 * fold with the same code as the local {@link CrossValidation#run}.
 */
final class FoldJob implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(FoldJob.class);

    private final ModelFactory modelFactory;
    private final ArrayList<MetricFactory> metrics;
    private final Preprocessor preprocessor;
    private final boolean keepModels;
    private final boolean keepPredictions;
    private final String dataKey;
    private final Broadcast<byte[]> data;

    /**
     * Creates the shared part of the tasks of {@code cv} (its metrics, preprocessor and what it
     * keeps) for models from {@code modelFactory}, on the data and folds packed in {@code data}.
     */
    FoldJob(CrossValidation cv, ModelFactory modelFactory, String dataKey, Broadcast<byte[]> data) {
        this.modelFactory = modelFactory;
        this.metrics = new ArrayList<>(cv.metrics());
        this.preprocessor = cv.preprocessor();
        this.keepModels = FoldTasks.keepsModels(cv);
        this.keepPredictions = FoldTasks.keepsPredictions(cv);
        this.dataKey = dataKey;
        this.data = data;
    }

    /**
     * Runs {@code task} on this executor: rebuilds the cross-validation from its parts, trains and
     * scores the fold with its kernels limited to the task's CPUs ({@link TaskCpus}), and returns
     * the outcome. A failure is logged with the candidate and fold and rethrown unchanged, so that
     * the driver reports the original message.
     */
    FoldOutcome run(FoldTask task) {
        try (KernelThreads k = KernelThreads.limit(TaskCpus.current())) {
            return runLimited(task);
        }
    }

    private FoldOutcome runLimited(FoldTask task) {
        long start = System.nanoTime();
        SharedData shared = SharedData.of(dataKey, data);
        CrossValidation cv = CrossValidation.builder(d -> shared.folds()).trainer(task.config())
                .metrics(metrics.toArray(new MetricFactory[0])).preprocessor(preprocessor)
                .keepModels(keepModels).keepPredictions(keepPredictions).build();
        FoldResult r;
        try {
            r = FoldTasks.runFold(cv, modelFactory, task.params(), task.config(), shared.data(),
                    shared.folds().get(task.fold()), task.fold());
        } catch (RuntimeException | Error e) {
            LOG.error("candidate {} {}, fold {} failed: {}", task.candidate(), task.params(), task.fold(), e.toString());
            throw e;
        }
        ArrayList<LinkedHashMap<String, Double>> history = new ArrayList<>();
        r.history().epochs().forEach(e -> history.add(new LinkedHashMap<>(e)));
        byte[] tensors = null;
        if (r.model() != null || r.predictions() != null) {
            Map<String, Tensor> out = new LinkedHashMap<>();
            if (r.model() != null) {
                r.model().stateDict().forEach((k, v) -> out.put("model." + k, v));
            }
            if (r.predictions() != null) {
                out.put("predictions", r.predictions());
            }
            tensors = SafeTensorBytes.encode(out, null);
        }
        return new FoldOutcome(task.candidate(), task.fold(), new LinkedHashMap<>(r.scores()), r.trainSeconds(),
                (System.nanoTime() - start) / 1e9, history, tensors);
    }

    /** Returns the metric factories (to check, on the driver, that they serialize). */
    List<MetricFactory> metrics() {
        return metrics;
    }
}
