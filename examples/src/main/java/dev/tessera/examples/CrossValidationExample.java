package dev.tessera.examples;

import dev.tessera.Generator;
import dev.tessera.nn.Dropout;
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
import dev.tessera.nn.selection.FoldResult;
import dev.tessera.nn.selection.GridSearch;
import dev.tessera.nn.selection.ModelFactory;
import dev.tessera.nn.selection.NestedCrossValidation;
import dev.tessera.nn.selection.NestedResult;
import dev.tessera.nn.selection.ParamGrid;
import dev.tessera.nn.selection.Params;
import dev.tessera.nn.selection.Preprocessor;
import dev.tessera.nn.selection.SearchResult;
import dev.tessera.nn.selection.StratifiedKFold;
import dev.tessera.nn.selection.TrainerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BoxChart;
import org.knowm.xchart.BoxChartBuilder;

/**
 * Model selection on a bundled dataset (wine by default, or breast cancer): compares logistic
 * regression, a small MLP and a wide MLP with dropout by stratified 10-fold cross-validation
 * (features standardised on each fold's training part only), then grid-searches the MLP's learning
 * rate, width and dropout. Prints a table of mean ± std per model and per candidate, and writes
 * box plots of the fold accuracies ({@code cv-models.png}, {@code grid-search.png}) and every fold's
 * scores ({@code fold-scores.csv}) into {@code --out}. {@code --nested} adds a nested
 * cross-validation of the whole grid search (an unbiased estimate of "search, then train the winner").
 */
public final class CrossValidationExample {
    private CrossValidationExample() {
    }

    /** Parses the options (see {@code --help}), cross-validates, searches, prints and plots. */
    public static void main(String[] argv) throws IOException {
        Args args = new Args("cv")
                .option("data", "wine", "bundled dataset: wine or breast-cancer")
                .option("folds", "10", "folds of the stratified k-fold cross-validation")
                .option("grid-folds", "5", "folds per grid-search candidate")
                .option("epochs", "30", "training epochs per fold")
                .option("threads", "2", "folds trained at once")
                .option("seed", "42", "seed of the folds, initialisation and shuffling")
                .option("nested", null, "also run a nested cross-validation of the grid search (slower)")
                .option("out", "tessera-cv", "directory for the box plots and the fold scores");
        if (!args.parse(argv)) {
            return;
        }
        System.setProperty("java.awt.headless", "true");
        long seed = Long.parseLong(args.get("seed"));
        int epochs = args.getInt("epochs");
        int threads = args.getInt("threads");
        Path out = Path.of(args.get("out"));
        Files.createDirectories(out);
        TensorDataset data = switch (args.get("data")) {
            case "wine" -> Datasets.wine();
            case "breast-cancer" -> Datasets.breastCancer();
            default -> throw new IllegalArgumentException("--data must be wine or breast-cancer, got '" + args.get("data") + "'");
        };
        int features = data.numFeatures();
        int classes = data.numClasses();
        System.out.printf(Locale.ROOT, "%s: %d examples, %d features, %d classes%n%n", args.get("data"), data.size(), features,
                classes);
        long start = System.nanoTime();

        // 1. Three models, one stratified k-fold cross-validation each (the same folds for all).
        TrainerConfig trainer = TrainerConfig.builder().epochs(epochs).batchSize(16).seed(seed)
                .optimizer(ps -> new Adam(ps, 0.01f)).build();
        CrossValidation cv = CrossValidation.builder(new StratifiedKFold(args.getInt("folds"), true, seed))
                .trainer(trainer).metrics(Metric::accuracy, () -> Metric.macroF1(classes))
                .preprocessor(Preprocessor.standardize()).parallelism(threads).build();
        Map<String, ModelFactory> models = new LinkedHashMap<>();
        models.put("logistic regression", p -> new Linear(features, classes, true, new Generator(p.seed())));
        models.put("MLP 32", p -> mlp(features, 32, 0, classes, p.seed()));
        models.put("wide MLP 256, dropout 0.5", p -> mlp(features, 256, 0.5, classes, p.seed()));
        Map<String, CrossValidationResult> results = new LinkedHashMap<>();
        for (Map.Entry<String, ModelFactory> m : models.entrySet()) {
            results.put(m.getKey(), cv.run(m.getValue(), data));
        }
        System.out.printf(Locale.ROOT, "Stratified %d-fold cross-validation, %d epochs per fold:%n%n", args.getInt("folds"), epochs);
        System.out.println(modelTable(results));

        // 2. A small grid search over the MLP, each candidate scored by stratified cross-validation.
        ParamGrid grid = ParamGrid.builder().add("lr", 0.003, 0.03).add("hidden", 16, 64).add("dropout", 0.0, 0.3).build();
        CrossValidation gridCv = cv.withSplitter(new StratifiedKFold(args.getInt("grid-folds"), true, seed));
        GridSearch search = GridSearch.builder(grid, p -> mlp(features, p.getInt("hidden"), p.getDouble("dropout"), classes,
                        p.seed()), gridCv)
                .trainer(p -> TrainerConfig.builder().epochs(epochs).batchSize(16).seed(seed)
                        .optimizer(ps -> new Adam(ps, p.getFloat("lr"))).build())
                .scoring("accuracy").refit(true).build();
        SearchResult found = search.run(data);
        System.out.printf(Locale.ROOT, "Grid search, %d candidates x %d folds, ranked by accuracy:%n%n", grid.size(),
                args.getInt("grid-folds"));
        System.out.println(found.table());
        System.out.printf(Locale.ROOT, "best: %s, accuracy %s; refitted on all %d examples%n%n", found.bestParams(),
                found.bestScore(), data.size());

        if (args.flag("nested")) {
            NestedResult nested = new NestedCrossValidation(new StratifiedKFold(5, true, seed + 1), search).run(data);
            System.out.println("Nested cross-validation of the grid search (5 outer folds):\n");
            System.out.println(nested.table());
        }

        // 3. Box plots and the raw fold scores.
        Map<String, double[]> candidates = new LinkedHashMap<>();
        int position = 0;
        for (Candidate c : found.candidates()) {
            Params p = c.params();
            candidates.put(String.format(Locale.ROOT, "%d. lr %s, h %d, d %s", ++position, p.getString("lr"), p.getInt("hidden"),
                    p.getString("dropout")), c.cv().scores("accuracy"));
        }
        Map<String, double[]> perModel = new LinkedHashMap<>();
        results.forEach((name, r) -> perModel.put(name, r.scores("accuracy")));
        Path modelsPng = boxPlot(perModel, "Fold accuracies, stratified " + args.getInt("folds") + "-fold CV on "
                + args.get("data"), out.resolve("cv-models.png"), 900, 0);
        Path gridPng = boxPlot(candidates, "Grid search: fold accuracies per candidate (best first)",
                out.resolve("grid-search.png"), 1100, 25);
        Path csv = out.resolve("fold-scores.csv");
        Files.writeString(csv, foldCsv(results));
        System.out.printf(Locale.ROOT, "Wrote %s, %s and %s in %.1f s%n", modelsPng, gridPng, csv,
                (System.nanoTime() - start) / 1e9);
    }

    /** A perceptron with one hidden layer of {@code hidden} units and optional dropout, initialised from {@code seed}. */
    static Module mlp(int in, int hidden, double dropout, int classes, long seed) {
        Generator g = new Generator(seed);
        Sequential model = new Sequential(new Linear(in, hidden, true, g), new ReLU());
        if (dropout > 0) {
            model.add(new Dropout(dropout, new Generator(g.nextLong())));
        }
        return model.add(new Linear(hidden, classes, true, g));
    }

    /** One row per model: mean ± std of each score and the training time per fold. */
    static String modelTable(Map<String, CrossValidationResult> results) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-28s %-17s %-17s %-17s %s%n", "model", "accuracy",
                "macro F1", "test loss", "s/fold"));
        sb.append("-".repeat(89)).append('\n');
        results.forEach((name, r) -> sb.append(String.format(Locale.ROOT, "%-28s %-17s %-17s %-17s %.2f%n", name,
                r.score("accuracy"), r.score("macroF1"), r.score("loss"), Arrays.stream(r.trainSeconds()).average().orElse(0))));
        return sb.toString();
    }

    /** Writes a box plot of each series' values to {@code file} (PNG), x labels rotated by {@code labelRotation} degrees; returns the file. */
    static Path boxPlot(Map<String, double[]> series, String title, Path file, int width, int labelRotation)
            throws IOException {
        BoxChart chart = new BoxChartBuilder().width(width).height(600).title(title).yAxisTitle("accuracy").build();
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setXAxisLabelRotation(labelRotation);
        series.forEach(chart::addSeries);
        String name = file.toString();
        BitmapEncoder.saveBitmap(chart, name.substring(0, name.length() - 4), BitmapEncoder.BitmapFormat.PNG);
        return file;
    }

    /** Returns every fold's scores as CSV: model, fold, test size, each score, training seconds. */
    static String foldCsv(Map<String, CrossValidationResult> results) {
        StringBuilder sb = new StringBuilder();
        List<String> metrics = results.values().iterator().next().metricNames();
        sb.append("model,fold,test_size,").append(String.join(",", metrics)).append(",train_seconds\n");
        results.forEach((name, r) -> {
            for (FoldResult f : r.folds()) {
                sb.append('"').append(name).append("\",").append(f.index()).append(',').append(f.fold().testSize());
                for (String m : metrics) {
                    sb.append(',').append(String.format(Locale.ROOT, "%.6f", f.score(m)));
                }
                sb.append(',').append(String.format(Locale.ROOT, "%.4f", f.trainSeconds())).append('\n');
            }
        });
        return sb.toString();
    }
}
