package dev.tessera.spark;

import dev.tessera.nn.data.Dataset;
import dev.tessera.nn.selection.CrossValidation;
import dev.tessera.nn.selection.CrossValidationResult;
import dev.tessera.nn.selection.HyperparameterSearch;
import dev.tessera.nn.selection.ModelFactory;
import dev.tessera.nn.selection.Params;
import dev.tessera.nn.selection.SearchResult;
import dev.tessera.nn.selection.TrainerConfig;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs Tessera's model selection and training on Apache Spark, with the same results as on one
 * machine: {@link #crossValidate} and {@link #search} make each (candidate, fold) pair one Spark
 * task and return the local API's {@link CrossValidationResult} and {@link SearchResult} with
 * per-fold scores identical to {@link CrossValidation#run} and {@link HyperparameterSearch#run};
 * {@link #fit} trains one model data-parallel over partitions of the training data.
 *
 * <pre>{@code
 * try (SparkExecutor exec = SparkExecutor.local(2)) {          // or SparkExecutor.of(spark) on a cluster
 *     SearchResult r = exec.search(gridSearch, Datasets.wine());
 *     System.out.println(r.table());
 * }
 * }</pre>
 *
 * <p>The model factories, metric factories, preprocessors, optimizer factories and losses are the
 * plain lambdas of the local API: their interfaces are serializable, and Spark ships them to the
 * executors (they must capture only serializable values: numbers, strings, {@link Params}).
 * Datasets, weights and optimizer state travel as safetensors bytes in broadcasts and task
 * results, never as Java-serialized objects. Models must be built from {@link Params#seed()} (not
 * the global random stream) for results to match the local run.
 *
 * <p>A task that throws fails the call with that task's exception (its original type and message),
 * not Spark's wrapper; a task lost with its executor is rerun by Spark and gives the same result.
 * Not thread-safe: one call at a time.
 */
public final class SparkExecutor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SparkExecutor.class);

    private final SparkSession session;
    private final JavaSparkContext jsc;
    private final boolean owned;
    private boolean closed;

    private SparkExecutor(SparkSession session, boolean owned) {
        this.session = session;
        this.jsc = JavaSparkContext.fromSparkContext(session.sparkContext());
        this.owned = owned;
    }

    /**
     * Starts an embedded Spark with one task slot per available processor (Spark's {@code local[*]});
     * see {@link #local(int)}.
     *
     * @throws IllegalStateException if a Spark session is already running in this JVM (use {@link #of})
     */
    public static SparkExecutor local() {
        return local(Runtime.getRuntime().availableProcessors());
    }

    /**
     * Starts an embedded Spark with {@code threads} task slots in this JVM ({@code local[threads]}),
     * with no cluster to start: bound to 127.0.0.1, web UI off, Spark's logs at WARN (where log4j2
     * is the logging backend). The JVM must have been started with {@code
     * --add-modules=jdk.incubator.vector} for the fast CPU kernels (a warning says so otherwise).
     * {@link #close()} stops it.
     *
     * @throws IllegalArgumentException if {@code threads < 1}
     * @throws IllegalStateException    if a Spark session is already running in this JVM (use {@link #of})
     */
    public static SparkExecutor local(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("SparkExecutor.local: threads must be at least 1, got " + threads);
        }
        if (SparkSession.getDefaultSession().isDefined() || SparkSession.getActiveSession().isDefined()) {
            throw new IllegalStateException("SparkExecutor.local: a SparkSession is already running in this JVM;"
                    + " use SparkExecutor.of(session)");
        }
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            LOG.warn("SparkExecutor.local: the JVM runs without --add-modules=jdk.incubator.vector; Tessera's CPU kernels"
                    + " fall back to their slower scalar paths");
        }
        SparkSession s = SparkSession.builder().master("local[" + threads + "]").appName("tessera")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false")
                .config("spark.log.level", "WARN")
                .config("spark.sql.shuffle.partitions", Integer.toString(threads))
                .config("spark.executor.extraJavaOptions", "--add-modules=jdk.incubator.vector")
                .getOrCreate();
        return new SparkExecutor(s, true);
    }

    /**
     * Uses an existing session (a cluster's, from {@code spark-submit}); {@link #close()} leaves it
     * running. Executors need {@code --add-modules=jdk.incubator.vector} in {@code
     * spark.executor.extraJavaOptions} for the fast CPU kernels (see the README).
     *
     * @throws IllegalArgumentException if {@code session} is null
     */
    public static SparkExecutor of(SparkSession session) {
        if (session == null) {
            throw new IllegalArgumentException("SparkExecutor.of: the session must not be null");
        }
        return new SparkExecutor(session, false);
    }

    /** Returns the Spark session the work runs on. */
    public SparkSession session() {
        return session;
    }

    /** Returns the number of tasks Spark runs at once by default (the total of executor cores; {@code n} for {@code local[n]}). */
    public int parallelism() {
        return jsc.defaultParallelism();
    }

    /**
     * Cross-validates the models of {@code modelFactory} (called with {@link Params#empty()}) on
     * {@code dataset} (not modified) with {@code cv}'s trainer: one Spark task per fold. The
     * per-fold scores, histories and kept models or predictions are those of {@code cv.run(modelFactory,
     * dataset)}; the times are the executors'. {@code cv}'s parallelism is ignored (Spark decides).
     *
     * @throws IllegalArgumentException if an argument is null, the split is impossible, or a lambda does not serialize
     * @throws IllegalStateException    if this executor is closed
     * @throws RuntimeException         the exception a fold's task threw
     */
    public CrossValidationResult crossValidate(CrossValidation cv, ModelFactory modelFactory, Dataset dataset) {
        return crossValidate(cv, modelFactory, Params.empty(), cv == null ? null : cv.trainer(), dataset);
    }

    /**
     * Cross-validates the models {@code modelFactory} builds from {@code params}, trained as {@code
     * config} says, on {@code dataset} (not modified): the distributed {@code cv.run(modelFactory,
     * params, config, dataset)}.
     *
     * @throws IllegalArgumentException if an argument is null, the split is impossible, or a lambda does not serialize
     * @throws IllegalStateException    if this executor is closed
     */
    public CrossValidationResult crossValidate(CrossValidation cv, ModelFactory modelFactory, Params params,
                                               TrainerConfig config, Dataset dataset) {
        checkOpen();
        return DistributedSelection.crossValidate(jsc, cv, modelFactory, params, config, dataset);
    }

    /**
     * Runs {@code search} on {@code dataset} (not modified): every (candidate, fold) pair is one Spark
     * task; the candidates are ranked as by {@link HyperparameterSearch#run}, and the best is refitted
     * on the driver if the search refits. A candidate's {@code totalSeconds} is the sum of its folds'
     * training times.
     *
     * @throws IllegalArgumentException if an argument is null, there are no candidates, or a lambda does not serialize
     * @throws IllegalStateException    if this executor is closed
     */
    public SearchResult search(HyperparameterSearch search, Dataset dataset) {
        checkOpen();
        return DistributedSelection.search(jsc, search, dataset);
    }

    /**
     * Trains the model of {@code modelFactory} data-parallel on {@code dataset} (not modified) as
     * {@code config} says: see {@link DataParallelConfig}.
     *
     * @throws IllegalArgumentException if an argument is null, the dataset has fewer examples than
     *                                  the global batch, or a checkpoint belongs to another configuration
     * @throws IllegalStateException    if this executor is closed
     */
    public DataParallelResult fit(ModelFactory modelFactory, Dataset dataset, DataParallelConfig config) {
        checkOpen();
        return DataParallelTrainer.fit(jsc, modelFactory, dataset, config);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("SparkExecutor: closed");
        }
    }

    /** Stops the Spark session if {@link #local} started it; a session given to {@link #of} keeps running. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (owned) {
            session.stop();
            SparkSession.clearDefaultSession();
            SparkSession.clearActiveSession();
        }
    }
}
