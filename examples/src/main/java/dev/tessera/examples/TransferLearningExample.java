package dev.tessera.examples;

import static dev.tessera.examples.TransferTraining.accuracy;
import static dev.tessera.examples.TransferTraining.loadOptions;

import dev.tessera.Generator;
import dev.tessera.Tensor;
import dev.tessera.examples.TransferTraining.Approach;
import dev.tessera.nn.data.Dataset;
import dev.tessera.nn.data.Datasets;
import dev.tessera.nn.data.TensorDataset;
import dev.tessera.nn.selection.Fold;
import dev.tessera.nn.selection.Score;
import dev.tessera.nn.selection.StratifiedKFold;
import dev.tessera.nn.selection.StratifiedShuffleSplit;
import dev.tessera.nn.transfer.Pretrained;
import dev.tessera.nn.transfer.TransferReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Transfer learning between distant domains, measured honestly (the default mode; {@code --mode
 * same-domain} runs {@link TransferCurveExample} instead, {@code --mode zoo} {@link
 * TransferZooExample}): a small CNN is pretrained on Fashion-MNIST and saved as safetensors;
 * then, on a few hundred of the bundled 8x8 digits (upsampled to 28x28, scaled to [0, 1] like
 * Fashion-MNIST), stratified k-fold cross-validation compares (a) the same CNN trained
 * from scratch, (b) the frozen pretrained features (cached once per fold) with a new linear head,
 * (c) partial fine-tuning (first conv block frozen, its BatchNorm kept in eval mode, smaller
 * learning rate for the pretrained layers than for the new head) and (d) full fine-tuning (every
 * layer trainable, the same discriminative learning rates), and (e) gradual unfreezing (the head
 * first, then one more block every {@code epochs / 5} epochs). Every approach gets the same folds,
 * epochs, batches and head initialisation; the settings were fixed before the first run and the
 * numbers are reported as they come out. Prints a table of mean ± std test accuracy and training
 * time per fold, and writes {@code transfer.png}, {@code folds.csv} and the pretrained weights
 * {@code fashion-cnn.safetensors} into {@code --out}.
 */
public final class TransferLearningExample {
    private TransferLearningExample() {
    }

    /**
     * Runs the mode named by {@code --mode}: {@code distant} (the default: pretrains, cross-validates
     * the five approaches on the digits, prints and plots), {@code same-domain} (the learning curve
     * of {@link TransferCurveExample}) or {@code zoo} (a MobileNetV2 from the model zoo, {@link
     * TransferZooExample}); see {@code --help} of each.
     */
    public static void main(String[] argv) throws IOException {
        String mode = mode(argv);
        if (mode.equals("same-domain")) {
            TransferCurveExample.main(argv);
            return;
        }
        if (mode.equals("zoo")) {
            TransferZooExample.main(argv);
            return;
        }
        if (!mode.equals("distant")) {
            System.err.println("transfer: --mode must be distant, same-domain or zoo, got '" + mode + "'");
            System.exit(2);
        }
        Args args = new Args("transfer")
                .option("mode", "distant", "distant (Fashion-MNIST -> digits, this run), same-domain (a learning curve"
                        + " within Fashion-MNIST) or zoo (a MobileNetV2 pretrained on classes 0-4, reused for 5-9); with"
                        + " --help: its options")
                .option("out", "tessera-transfer", "directory for the weights, the chart and the fold scores")
                .option("samples", "300", "labelled digits used (a stratified subset of the 1,797)")
                .option("folds", "5", "folds of the stratified k-fold cross-validation")
                .option("epochs", "15", "training epochs per fold, every approach")
                .option("seed", "42", "seed of the subset, the folds, the initialisation and the shuffling")
                .option("pretrain-epochs", "2", "epochs of pretraining on Fashion-MNIST")
                .option("pretrain-samples", "60000", "Fashion-MNIST training images used for pretraining (at most 60,000)")
                .option("fashion-dir", Datasets.FASHION_MNIST_DEFAULT_DIR.toString(), "directory of the Fashion-MNIST IDX files");
        if (!args.parse(argv)) {
            return;
        }
        FashionMnistFiles.require("transfer", Path.of(args.get("fashion-dir")), "--fashion-dir");
        System.setProperty("java.awt.headless", "true");
        long seed = Long.parseLong(args.get("seed"));
        int epochs = args.getInt("epochs");
        Path out = Path.of(args.get("out"));
        Files.createDirectories(out);
        long start = System.nanoTime();

        // 1. Pretrain on Fashion-MNIST and save the weights.
        Path weights = out.resolve("fashion-cnn.safetensors");
        pretrain(Path.of(args.get("fashion-dir")), args.getInt("pretrain-samples"), args.getInt("pretrain-epochs"), seed,
                weights);

        // 2. A few hundred digits, 28x28 in [0, 1].
        TensorDataset digits = digits28(args.getInt("samples"), seed);
        List<Fold> folds = new StratifiedKFold(args.getInt("folds"), true, seed).split(digits.labels());
        System.out.printf(Locale.ROOT, "%nDigits: %d labelled images (8x8 upsampled to 28x28), stratified %d-fold CV, %d epochs"
                + " per fold%n", digits.size(), folds.size(), epochs);
        TransferReport report = Pretrained.load(new SmallCnn(10, new Generator(0)), weights, loadOptions());
        System.out.println("Loading the pretrained weights into a new model: " + report.summary().replace("\n", "\n  "));

        Map<String, Approach> approaches = new LinkedHashMap<>();
        for (Approach a : Approach.values()) {
            approaches.put(a.title, a);
        }
        Map<String, double[][]> results = new LinkedHashMap<>(); // name -> {accuracies, seconds, trainable parameters}
        StringBuilder csv = new StringBuilder("approach,fold,test_size,accuracy,train_seconds\n");
        for (Map.Entry<String, Approach> a : approaches.entrySet()) {
            double[] acc = new double[folds.size()];
            double[] secs = new double[folds.size()];
            double[] trainable = new double[folds.size()];
            for (int f = 0; f < folds.size(); f++) {
                double[] r = runFold(a.getValue(), digits, folds.get(f), weights, epochs, seed + 1000L * f);
                acc[f] = r[0];
                secs[f] = r[1];
                trainable[f] = r[2];
                csv.append('"').append(a.getKey()).append("\",").append(f).append(',').append(folds.get(f).testSize())
                        .append(String.format(Locale.ROOT, ",%.6f,%.4f%n", acc[f], secs[f]));
            }
            results.put(a.getKey(), new double[][] {acc, secs, trainable});
            System.out.printf(Locale.ROOT, "  %-36s accuracy %s, %.2f s per fold%n", a.getKey(), Score.of(acc),
                    Score.of(secs).mean());
        }

        System.out.println();
        System.out.println(table(results));
        Path png = TransferCharts.save(results, out.resolve("transfer.png"),
                String.format(Locale.ROOT, "Digits, %d labelled images, stratified %d-fold CV", digits.size(), folds.size()));
        Path csvFile = out.resolve("folds.csv");
        Files.writeString(csvFile, csv);
        System.out.printf(Locale.ROOT, "Wrote %s, %s and %s in %.1f s%n", weights, png, csvFile, (System.nanoTime() - start) / 1e9);
    }

    /** The value of the last {@code --mode} in {@code argv}, {@code distant} when there is none. */
    static String mode(String[] argv) {
        String mode = "distant";
        for (int i = 0; i + 1 < argv.length; i++) {
            if (argv[i].equals("--mode")) {
                mode = argv[i + 1];
            }
        }
        return mode;
    }

    /**
     * Trains {@code approach} on {@code fold}'s training part; returns {test accuracy, training
     * seconds, trainable parameters}.
     */
    static double[] runFold(Approach approach, TensorDataset data, Fold fold, Path weights, int epochs, long seed)
            throws IOException {
        TransferTraining.Trained t = TransferTraining.train(approach, data.subset(fold.train()), 10, weights, epochs, seed);
        return new double[] {accuracy(t.model(), data.subset(fold.test())), t.seconds(), t.trainable()};
    }

    /** Pretrains a {@link SmallCnn} on {@code samples} Fashion-MNIST training images, reports its test accuracy, saves it. */
    static void pretrain(Path dir, int samples, int epochs, long seed, Path weights) throws IOException {
        TensorDataset all = Datasets.fashionMnist(dir, true);
        TensorDataset testAll = Datasets.fashionMnist(dir, false);
        int n = Math.min(samples, all.size());
        Dataset train = all.subset(Arrays.copyOf(new Generator(seed).permutation(all.size()), n));
        Dataset test = testAll.subset(Arrays.copyOf(new Generator(seed + 1).permutation(testAll.size()), 2000));
        System.out.printf(Locale.ROOT, "Pretraining SmallCnn (%,d parameters) on %,d Fashion-MNIST images for %d epochs...%n",
                new SmallCnn(10, new Generator(seed)).parameterCount(), n, epochs);
        long t0 = System.nanoTime();
        SmallCnn model = TransferTraining.pretrain(train, 10, epochs, seed, weights);
        System.out.printf(Locale.ROOT, "Pretrained in %.1f s: Fashion-MNIST test accuracy %.4f (2,000 test images)%n",
                (System.nanoTime() - t0) / 1e9, accuracy(model, test));
    }

    /**
     * Returns a stratified subset of {@code samples} bundled digits as {@code [n, 1, 28, 28]} images
     * in [0, 1]: pixel values divided by 16, then bilinearly upsampled (half-pixel centres, as
     * PyTorch's {@code interpolate(..., align_corners=False)}) with two matrix products.
     */
    static TensorDataset digits28(int samples, long seed) {
        TensorDataset digits = Datasets.digits();
        int[] keep;
        if (samples >= digits.size()) {
            keep = new int[digits.size()];
            Arrays.setAll(keep, i -> i);
        } else {
            keep = new StratifiedShuffleSplit(1, (double) samples / digits.size(), seed).split(digits.labels()).get(0).test();
        }
        Tensor idx = Tensor.ofInts(keep);
        Tensor small = digits.features().indexSelect(0, idx).div(16f).reshape(keep.length, 1, 8, 8);
        Tensor at = interpolation(8, 28).t().contiguous(); // [8, 28]
        Tensor big = small.matmul(at).transpose(2, 3).matmul(at).transpose(2, 3).contiguous();
        return new TensorDataset(big, digits.targets().indexSelect(0, idx), digits.classNames());
    }

    /** The {@code [out, in]} matrix of 1-D bilinear interpolation from {@code in} to {@code out} samples. */
    static Tensor interpolation(int in, int out) {
        float[] a = new float[out * in];
        double scale = (double) in / out;
        for (int o = 0; o < out; o++) {
            double src = Math.max(0, (o + 0.5) * scale - 0.5);
            int i0 = Math.min((int) Math.floor(src), in - 1);
            int i1 = Math.min(i0 + 1, in - 1);
            double w = src - i0;
            a[o * in + i0] += (float) (1 - w);
            a[o * in + i1] += (float) w;
        }
        return Tensor.of(a, out, in);
    }

    /** One row per approach: mean ± std accuracy over the folds, training seconds per fold, trained parameters. */
    static String table(Map<String, double[][]> results) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "| %-34s | %-17s | %-15s | %-9s |%n", "approach",
                "accuracy", "train s / fold", "trained"));
        sb.append("|").append("-".repeat(36)).append("|").append("-".repeat(19)).append("|").append("-".repeat(17))
                .append("|").append("-".repeat(11)).append("|\n");
        results.forEach((name, r) -> sb.append(String.format(Locale.ROOT, "| %-34s | %-17s | %-15s | %,9d |%n", name,
                Score.of(r[0]), String.format(Locale.ROOT, "%.2f ± %.2f", Score.of(r[1]).mean(), Score.of(r[1]).std()),
                (long) r[2][0])));
        return sb.toString();
    }

    /** Draws the comparison chart with XChart. */
    private static final class TransferCharts {
        private TransferCharts() {
        }

        /** Draws accuracy (mean ± std) and seconds per fold per approach, side by side, into {@code file}; returns it. */
        static Path save(Map<String, double[][]> results, Path file, String title) throws IOException {
            List<String> names = new ArrayList<>();
            List<Double> acc = new ArrayList<>();
            List<Double> accStd = new ArrayList<>();
            List<Double> secs = new ArrayList<>();
            List<Double> secsStd = new ArrayList<>();
            results.forEach((name, r) -> {
                names.add(Approach.label(name));
                acc.add(Score.of(r[0]).mean());
                accStd.add(Score.of(r[0]).std());
                secs.add(Score.of(r[1]).mean());
                secsStd.add(Score.of(r[1]).std());
            });
            var left = bars(title, "test accuracy (mean ± std)", names, acc, accStd, "accuracy");
            var right = bars("Training time per fold", "seconds", names, secs, secsStd, "seconds");
            var a = org.knowm.xchart.BitmapEncoder.getBufferedImage(left);
            var b = org.knowm.xchart.BitmapEncoder.getBufferedImage(right);
            var img = new java.awt.image.BufferedImage(a.getWidth() + b.getWidth(), Math.max(a.getHeight(), b.getHeight()),
                    java.awt.image.BufferedImage.TYPE_INT_RGB);
            var g = img.createGraphics();
            g.drawImage(a, 0, 0, null);
            g.drawImage(b, a.getWidth(), 0, null);
            g.dispose();
            javax.imageio.ImageIO.write(img, "png", file.toFile());
            return file;
        }

        private static org.knowm.xchart.CategoryChart bars(String title, String yTitle, List<String> names, List<Double> values,
                                                           List<Double> errors, String series) {
            var chart = new org.knowm.xchart.CategoryChartBuilder().width(640).height(480).title(title).yAxisTitle(yTitle)
                    .build();
            chart.getStyler().setLegendVisible(false);
            chart.getStyler().setErrorBarsColor(java.awt.Color.DARK_GRAY);
            chart.addSeries(series, names, values, errors);
            return chart;
        }
    }
}
