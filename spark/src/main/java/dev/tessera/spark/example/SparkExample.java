package dev.tessera.spark.example;

import dev.tessera.Generator;
import dev.tessera.KernelThreads;
import dev.tessera.Tensor;
import dev.tessera.nn.Dropout;
import dev.tessera.nn.F;
import dev.tessera.nn.Flatten;
import dev.tessera.nn.Linear;
import dev.tessera.nn.Module;
import dev.tessera.nn.ReLU;
import dev.tessera.nn.Sequential;
import dev.tessera.nn.data.Batch;
import dev.tessera.nn.data.Datasets;
import dev.tessera.nn.data.TensorDataset;
import dev.tessera.nn.metrics.Metric;
import dev.tessera.nn.metrics.Metrics;
import dev.tessera.nn.optim.Adam;
import dev.tessera.nn.optim.Optimizer;
import dev.tessera.nn.optim.SGD;
import dev.tessera.nn.selection.Candidate;
import dev.tessera.nn.selection.CrossValidation;
import dev.tessera.nn.selection.GridSearch;
import dev.tessera.nn.selection.ParamGrid;
import dev.tessera.nn.selection.Params;
import dev.tessera.nn.selection.Preprocessor;
import dev.tessera.nn.selection.SearchResult;
import dev.tessera.nn.selection.StratifiedKFold;
import dev.tessera.nn.selection.TrainerConfig;
import dev.tessera.spark.DataParallelConfig;
import dev.tessera.spark.DataParallelResult;
import dev.tessera.spark.SparkExecutor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * Tessera on Spark, in two parts. (1) The wine grid search of the {@code cv} example (learning
 * rate, width, dropout; stratified 5-fold cross-validation), or with {@code --search digits} a
 * larger one (16 candidates of a two-hidden-layer MLP on the bundled digits), run distributed, one
 * Spark task per (candidate, fold), and, unless {@code --no-local}, locally too: prints both
 * tables, checks that every fold's scores are identical and reports the speed-up. (2) The MLP of the main example
 * trained data-parallel on Fashion-MNIST (or the bundled digits) over 2 partitions: prints the
 * test accuracy, the time per round and a single-process step's time for comparison.
 *
 * <p>Started by {@code spark-submit} (the {@code spark.master} property is set) it uses that
 * cluster; otherwise it starts an embedded {@code local[threads]} Spark.
 */
public final class SparkExample {
    private SparkExample() {
    }

    /** Runs both parts; {@code --help} lists the options. */
    public static void main(String[] argv) throws IOException {
        Map<String, String> o = options(argv);
        if (o == null) {
            return;
        }
        int threads = Integer.parseInt(o.get("threads"));
        boolean submitted = System.getProperty("spark.master") != null;
        try (SparkExecutor exec = submitted ? SparkExecutor.of(SparkSession.builder().getOrCreate())
                : SparkExecutor.local(threads)) {
            System.out.printf(Locale.ROOT, "Spark %s, master %s, %d task slots%n%n", exec.session().version(),
                    exec.session().sparkContext().master(), exec.parallelism());
            if (!o.get("part").equals("fit")) {
                gridSearch(exec, o);
            }
            if (!o.get("part").equals("search")) {
                dataParallel(exec, o);
            }
        }
    }

    /** Part 1: the grid search, distributed and (unless --no-local) local, one fold after another and on 2 threads. */
    static void gridSearch(SparkExecutor exec, Map<String, String> o) {
        long seed = Long.parseLong(o.get("seed"));
        int epochs = Integer.parseInt(o.get("epochs"));
        int folds = Integer.parseInt(o.get("folds"));
        boolean digits = o.get("search").equals("digits");
        if (!digits && !o.get("search").equals("wine")) {
            throw new IllegalArgumentException("--search must be wine or digits, got " + o.get("search"));
        }
        TensorDataset data = digits ? Datasets.digits().mapFeatures(x -> x.div(16f)) : Datasets.wine();
        int candidates = digits ? 16 : 8;
        System.out.printf(Locale.ROOT, "Grid search on %s, %d candidates x %d folds = %d Spark tasks, %d epochs each:%n%n",
                digits ? "digits (MLP 64-h1-h2-10)" : "wine", candidates, folds, candidates * folds, epochs);
        boolean compare = !o.containsKey("no-local");
        GridSearch search = digits ? digitsSearch(data, seed, epochs, folds, 1) : search(data, seed, epochs, folds, 1);
        if (compare) {
            // Untimed passes first, so that neither timed run pays for Spark's start or the JIT's warm-up.
            exec.search(search, data);
            search.run(data);
        }
        long t0 = System.nanoTime();
        SearchResult distributed = exec.search(search, data);
        double sparkSeconds = (System.nanoTime() - t0) / 1e9;
        System.out.println(distributed.table());
        System.out.printf(Locale.ROOT, "distributed on %d task slots: %.2f s%n", exec.parallelism(), sparkSeconds);
        if (!compare) {
            return;
        }
        t0 = System.nanoTime();
        SearchResult local = search.run(data);
        double localSeconds = (System.nanoTime() - t0) / 1e9;
        t0 = System.nanoTime();
        (digits ? digitsSearch(data, seed, epochs, folds, 2) : search(data, seed, epochs, folds, 2)).run(data);
        double threadedSeconds = (System.nanoTime() - t0) / 1e9;
        boolean same = true;
        for (int i = 0; i < local.candidates().size(); i++) {
            Candidate a = local.candidates().get(i);
            Candidate b = distributed.candidates().get(i);
            same &= a.params().equals(b.params()) && Arrays.equals(a.cv().scores("accuracy"), b.cv().scores("accuracy"))
                    && Arrays.equals(a.cv().scores("loss"), b.cv().scores("loss"));
        }
        System.out.printf(Locale.ROOT, "local, one fold after another: %.2f s (distributed is %.2fx faster); local on 2"
                + " threads (parallelism(2)): %.2f s (%.2fx); per-fold scores %s%n%n", localSeconds, localSeconds / sparkSeconds,
                threadedSeconds, threadedSeconds / sparkSeconds, same ? "identical to the local run" : "DIFFER");
        if (!same) {
            System.out.println("Local table:\n" + local.table());
        }
    }

    /**
     * A larger grid: the learning rate, both widths and the dropout of a two-hidden-layer MLP on the
     * bundled 8x8 digits (16 candidates), stratified k-fold, Adam on batches of 64.
     */
    static GridSearch digitsSearch(TensorDataset data, long seed, int epochs, int folds, int parallelism) {
        CrossValidation cv = CrossValidation.builder(new StratifiedKFold(folds, true, seed)).metrics(Metric::accuracy)
                .parallelism(parallelism).build();
        ParamGrid grid = ParamGrid.builder().add("lr", 0.001, 0.003).add("h1", 128, 256).add("h2", 64, 128)
                .add("dropout", 0.0, 0.2).build();
        int features = data.numFeatures();
        return GridSearch.builder(grid, p -> {
                    Generator g = new Generator(p.seed());
                    Sequential model = new Sequential(new Linear(features, p.getInt("h1"), true, g), new ReLU());
                    if (p.getDouble("dropout") > 0) {
                        model.add(new Dropout(p.getDouble("dropout"), new Generator(g.nextLong())));
                    }
                    return model.add(new Linear(p.getInt("h1"), p.getInt("h2"), true, g)).add(new ReLU())
                            .add(new Linear(p.getInt("h2"), 10, true, g));
                }, cv)
                .trainer(p -> TrainerConfig.builder().epochs(epochs).batchSize(64).seed(seed)
                        .optimizer(ps -> new Adam(ps, p.getFloat("lr"))).build())
                .scoring("accuracy").build();
    }

    /** The grid search of the {@code cv} example: learning rate, width and dropout of an MLP, stratified k-fold. */
    static GridSearch search(TensorDataset data, long seed, int epochs, int folds, int parallelism) {
        int features = data.numFeatures();
        int classes = data.numClasses();
        CrossValidation cv = CrossValidation.builder(new StratifiedKFold(folds, true, seed))
                .metrics(Metric::accuracy, () -> Metric.macroF1(classes)).preprocessor(Preprocessor.standardize())
                .parallelism(parallelism).build();
        ParamGrid grid = ParamGrid.builder().add("lr", 0.003, 0.03).add("hidden", 16, 64).add("dropout", 0.0, 0.3).build();
        return GridSearch.builder(grid, p -> mlp(features, p.getInt("hidden"), p.getDouble("dropout"), classes, p.seed()), cv)
                .trainer(p -> TrainerConfig.builder().epochs(epochs).batchSize(16).seed(seed)
                        .optimizer(ps -> new Adam(ps, p.getFloat("lr"))).build())
                .scoring("accuracy").build();
    }

    /** Part 2: the MLP trained data-parallel over 2 partitions; accuracy, time per round, a local step's time. */
    static void dataParallel(SparkExecutor exec, Map<String, String> o) throws IOException {
        long seed = Long.parseLong(o.get("seed"));
        Path dir = Path.of(o.get("data-dir"));
        TensorDataset train;
        TensorDataset test;
        String name;
        if (!o.containsKey("digits") && Files.isDirectory(dir)) {
            train = Datasets.fashionMnist(dir, true);
            test = Datasets.fashionMnist(dir, false);
            name = "Fashion-MNIST";
        } else {
            TensorDataset all = Datasets.digits().mapFeatures(x -> x.div(16f));
            int[] perm = new Generator(seed).permutation(all.size());
            int cut = all.size() * 4 / 5;
            Batch a = all.get(Arrays.copyOfRange(perm, 0, cut));
            Batch b = all.get(Arrays.copyOfRange(perm, cut, perm.length));
            train = new TensorDataset(a.features(), a.targets());
            test = new TensorDataset(b.features(), b.targets());
            name = "digits (Fashion-MNIST not found in " + dir + ")";
        }
        int features = train.numFeatures();
        int classes = Math.max(train.numClasses(), 10);
        int partitions = Integer.parseInt(o.get("partitions"));
        int batch = Integer.parseInt(o.get("batch-size"));
        int localSteps = Integer.parseInt(o.get("local-steps"));
        float lr = Float.parseFloat(o.get("lr"));
        int rounds = (int) Math.ceil(Double.parseDouble(o.get("dp-epochs")) * train.size() / ((double) batch * localSteps));
        DataParallelConfig config = DataParallelConfig.builder().partitions(partitions).batchSize(batch)
                .localSteps(localSteps).rounds(rounds).optimizer(ps -> new SGD(ps, lr, 0.9f)).loss(F::crossEntropy)
                .seed(seed).build();
        System.out.printf(Locale.ROOT, "Data-parallel training on %s: %d examples, MLP %d-256-128-%d, %d partitions,"
                        + " global batch %d, %d local steps per round, %d rounds%n", name, train.size(), features, classes,
                partitions, batch, localSteps, rounds);
        long t0 = System.nanoTime();
        DataParallelResult r = exec.fit(p -> mlp(features, 256, 128, classes, p.seed()), train, config);
        double seconds = (System.nanoTime() - t0) / 1e9;
        double accuracy;
        try (var ng = Tensor.noGrad()) {
            r.model().eval();
            accuracy = Metrics.accuracy(r.model().forward(test.features()), test.targets());
        }
        double[] times = r.roundSeconds();
        double[] steady = Arrays.copyOfRange(times, Math.min(3, times.length - 1), times.length);
        double round = Arrays.stream(steady).average().orElse(Double.NaN);
        double[] sorted = steady.clone();
        Arrays.sort(sorted);
        double median = sorted[sorted.length / 2];
        double localStep = localStepSeconds(train, features, classes, batch / partitions, seed);
        double taskStep;
        try (KernelThreads k = KernelThreads.limit(1)) { // as in a task of a local[n] Spark (spark.task.cpus = 1)
            taskStep = localStepSeconds(train, features, classes, batch / partitions, seed);
        }
        System.out.printf(Locale.ROOT, "test accuracy %.2f%%, %.1f s in all; loss %.4f -> %.4f%n", 100 * accuracy, seconds,
                r.losses()[0], r.losses()[r.rounds() - 1]);
        System.out.printf(Locale.ROOT, "time per round %.1f ms (median %.1f; after the first 3; first %.1f ms); a single-process step"
                        + " on one replica's batch of %d takes %.2f ms on one thread (as in a task), %.2f ms on all cores,"
                        + " so a round's %d local steps cost %.1f ms and the rest, %.1f ms, is Spark scheduling,"
                        + " broadcasting and averaging%n", 1e3 * round, 1e3 * median, 1e3 * times[0], batch / partitions, 1e3 * taskStep,
                1e3 * localStep, localSteps, 1e3 * localSteps * taskStep, 1e3 * (round - localSteps * taskStep));
    }

    /** Returns the mean time of one single-process training step of the same MLP on batches of {@code b}. */
    static double localStepSeconds(TensorDataset train, int features, int classes, int b, long seed) {
        Module model = mlp(features, 256, 128, classes, seed);
        Optimizer opt = new SGD(model.parameters(), 0.01f, 0.9f);
        Generator g = new Generator(seed);
        int warm = 20;
        int measured = 100;
        long start = 0;
        for (int i = 0; i < warm + measured; i++) {
            if (i == warm) {
                start = System.nanoTime();
            }
            int[] idx = new int[b];
            for (int j = 0; j < b; j++) {
                idx[j] = (int) Math.floorMod(g.nextLong(), (long) train.size());
            }
            Batch batch = train.get(idx);
            opt.zeroGrad();
            Tensor loss = F.crossEntropy(model.forward(batch.features()), batch.targets());
            loss.backward();
            opt.step();
        }
        return (System.nanoTime() - start) / 1e9 / measured;
    }

    /** The grid's perceptron: one hidden layer, optional dropout, initialised from {@code seed}. */
    static Module mlp(int in, int hidden, double dropout, int classes, long seed) {
        Generator g = new Generator(seed);
        Sequential model = new Sequential(new Linear(in, hidden, true, g), new ReLU());
        if (dropout > 0) {
            model.add(new Dropout(dropout, new Generator(g.nextLong())));
        }
        return model.add(new Linear(hidden, classes, true, g));
    }

    /** The main example's perceptron, {@code in-h1-h2-classes}, initialised from {@code seed}. */
    static Module mlp(int in, int h1, int h2, int classes, long seed) {
        Generator g = new Generator(seed);
        return new Sequential(new Flatten(), new Linear(in, h1, true, g), new ReLU(), new Linear(h1, h2, true, g), new ReLU(),
                new Linear(h2, classes, true, g));
    }

    /** Parses {@code --name value} options and {@code --flag}s over the defaults; null after printing help. */
    static Map<String, String> options(String[] argv) {
        Map<String, String[]> known = new LinkedHashMap<>();
        known.put("part", new String[] {"both", "search, fit or both"});
        known.put("threads", new String[] {"2", "task slots of the embedded Spark (ignored under spark-submit)"});
        known.put("seed", new String[] {"42", "seed of the folds, initialisation and shuffling"});
        known.put("search", new String[] {"wine", "the grid search: wine (8 candidates) or digits (16, a larger MLP)"});
        known.put("folds", new String[] {"5", "folds per grid-search candidate"});
        known.put("epochs", new String[] {"30", "training epochs per fold"});
        known.put("no-local", new String[] {null, "skip the local grid search (no comparison)"});
        known.put("data-dir", new String[] {Datasets.FASHION_MNIST_DEFAULT_DIR.toString(), "Fashion-MNIST directory"});
        known.put("digits", new String[] {null, "train the data-parallel part on the bundled digits"});
        known.put("partitions", new String[] {"2", "data-parallel replicas"});
        known.put("batch-size", new String[] {"128", "global batch of one data-parallel step"});
        known.put("local-steps", new String[] {"8", "steps per replica between averages"});
        known.put("lr", new String[] {"0.05", "learning rate of the data-parallel SGD (momentum 0.9)"});
        known.put("dp-epochs", new String[] {"1", "passes over the training data in the data-parallel part"});
        Map<String, String> values = new LinkedHashMap<>();
        known.forEach((k, v) -> {
            if (v[0] != null) {
                values.put(k, v[0]);
            }
        });
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            if (a.equals("spark")) {
                continue; // the name under which examples' Main would pick this program
            }
            if (a.equals("--help")) {
                System.out.println("Options (defaults in brackets):");
                known.forEach((k, v) -> System.out.printf(Locale.ROOT, "  --%-12s %s%s%n", k, v[1],
                        v[0] == null ? "" : " [" + v[0] + "]"));
                return null;
            }
            String name = a.startsWith("--") ? a.substring(2) : "";
            if (!known.containsKey(name)) {
                throw new IllegalArgumentException("unknown option '" + a + "'; try --help");
            }
            if (known.get(name)[0] == null) {
                values.put(name, "true");
            } else if (i + 1 < argv.length) {
                values.put(name, argv[++i]);
            } else {
                throw new IllegalArgumentException("option --" + name + " needs a value; try --help");
            }
        }
        return values;
    }
}
