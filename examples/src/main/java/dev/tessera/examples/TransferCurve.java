package dev.tessera.examples;

import dev.tessera.Generator;
import dev.tessera.Tensor;
import dev.tessera.examples.TransferTraining.Approach;
import dev.tessera.nn.data.TensorDataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * A transfer-learning curve: a {@link SmallCnn} is pretrained on a source task, then every
 * {@link Approach} learns a related target task from a few labelled examples per class, for each
 * number of examples and several seeds, and is scored on the target's whole test set. Writes the
 * runs as CSV, the learning curve and the accuracy against training time as PNG (see {@link
 * CurveCharts}), and the pretrained weights.
 *
 * <p>For one seed and one size, every approach trains on the same images, from the same
 * initialisation of the new head, for the same epochs; the training images of a seed are nested
 * (the 30 images per class contain the 10). Training time counts loading the pretrained weights
 * and extracting features, not pretraining, which is paid once for every run.
 */
final class TransferCurve {
    /** The CSV header, one row per approach, size and seed. */
    static final String CSV_HEADER = "approach,per_class,seed,train_images,epochs,accuracy,train_seconds,train_cpu_seconds";

    private TransferCurve() {
    }

    /**
     * What to run.
     *
     * @param perClass       labelled target images per class, one point of the curve each (increasing)
     * @param seeds          seeds per point: the training images, the initialisation and the shuffling differ
     * @param seed           the base seed (pretraining, and run {@code s} uses {@code seed + 1000 (s + 1)})
     * @param epochs         the fewest training epochs of a run
     * @param minSteps       the fewest optimizer steps of a run: small sets get more epochs, up to this
     * @param pretrainEpochs epochs of pretraining on the source task
     * @param targets        the accuracies whose training time {@link #timeToTarget} reports, each in (0, 1]
     */
    record Config(int[] perClass, int seeds, long seed, int epochs, int minSteps, int pretrainEpochs, double[] targets) {
        /** Checks the values; the message names the one at fault. */
        Config {
            perClass = perClass.clone();
            if (perClass.length == 0) {
                throw new IllegalArgumentException("transfer curve: no sizes given");
            }
            for (int i = 0; i < perClass.length; i++) {
                if (perClass[i] < 1 || i > 0 && perClass[i] <= perClass[i - 1]) {
                    throw new IllegalArgumentException("transfer curve: sizes per class must be positive and increasing, got "
                            + Arrays.toString(perClass));
                }
            }
            if (seeds < 1 || epochs < 1 || minSteps < 0 || pretrainEpochs < 1) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "transfer curve: seeds %d, epochs %d and"
                        + " pretrain epochs %d must be >= 1 and min steps %d >= 0", seeds, epochs, pretrainEpochs, minSteps));
            }
            targets = targets.clone();
            for (double t : targets) {
                if (!(t > 0 && t <= 1)) {
                    throw new IllegalArgumentException("transfer curve: target accuracies must be in (0, 1], got "
                            + Arrays.toString(targets));
                }
            }
        }
    }

    /**
     * The data of a curve: images with labels {@code 0 .. classes-1} in each set.
     *
     * @param sourceTrain what the model is pretrained on
     * @param sourceTest  what the pretrained model is scored on
     * @param targetTrain where the labelled images per class are drawn from
     * @param targetTest  what every run is scored on, whole
     */
    record Data(TensorDataset sourceTrain, TensorDataset sourceTest, TensorDataset targetTrain, TensorDataset targetTest) {
    }

    /** One trained and scored run: wall-clock and CPU seconds as in {@link TransferTraining.Trained}. */
    record Run(Approach approach, int perClass, int seed, int trainImages, int epochs, double accuracy, double seconds,
               double cpuSeconds) {
    }

    /** One point of the curve: an approach at one size, over its seeds (accuracy range, mean wall-clock and CPU seconds). */
    record Point(Approach approach, int perClass, double mean, double min, double max, double seconds, double cpuSeconds) {
    }

    /**
     * What {@link #run} measured.
     *
     * @param runs             every run, in the order they were made
     * @param sourceAccuracy   the pretrained model's accuracy on the source test set
     * @param pretrainSeconds  how long pretraining took
     */
    record Result(List<Run> runs, double sourceAccuracy, double pretrainSeconds) {
    }

    /**
     * Pretrains on {@code data}'s source, then trains and scores every approach at every size with
     * every seed; writes {@code learning-curve.csv}, {@code learning-curve.png}, {@code
     * time-to-accuracy.png} and {@code pretrained.safetensors} into {@code out} (created if needed,
     * files overwritten) and reports progress to {@code log}. Returns the runs.
     *
     * @throws IllegalArgumentException if a target class has fewer training images than the largest size
     */
    static Result run(Config config, Data data, Path out, String title, Consumer<String> log) throws IOException {
        int sourceClasses = classCount(data.sourceTrain().labels());
        int classes = classCount(data.targetTrain().labels());
        int[] targetLabels = data.targetTrain().labels();
        perClassSubset(targetLabels, classes, config.perClass()[config.perClass().length - 1], config.seed()); // checks sizes
        Files.createDirectories(out);

        Path weights = out.resolve("pretrained.safetensors");
        long t0 = System.nanoTime();
        SmallCnn source = TransferTraining.pretrain(data.sourceTrain(), sourceClasses, config.pretrainEpochs(), config.seed(),
                weights);
        double pretrainSeconds = (System.nanoTime() - t0) / 1e9;
        double sourceAccuracy = TransferTraining.accuracy(source, data.sourceTest());
        log.accept(String.format(Locale.ROOT, "Pretrained on %,d images (%d classes, %d epochs) in %.1f s: source test accuracy"
                + " %.4f", data.sourceTrain().size(), sourceClasses, config.pretrainEpochs(), pretrainSeconds, sourceAccuracy));

        // Untimed warm-up: every approach once, briefly, so the first measured run does not pay for the JIT.
        int[] warm = perClassSubset(targetLabels, classes, config.perClass()[0], config.seed());
        for (Approach a : Approach.values()) {
            TransferTraining.train(a, data.targetTrain().subset(warm), classes, weights, 1, config.seed());
        }

        List<Run> runs = new ArrayList<>();
        for (int s = 0; s < config.seeds(); s++) {
            long runSeed = config.seed() + 1000L * (s + 1);
            for (int n : config.perClass()) {
                int[] picked = perClassSubset(targetLabels, classes, n, runSeed);
                int epochs = epochsFor(picked.length, config.epochs(), config.minSteps());
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  seed %d, %4d per class (%d epochs):", s,
                        n, epochs));
                for (Approach a : Approach.values()) {
                    TransferTraining.Trained t = TransferTraining.train(a, data.targetTrain().subset(picked), classes, weights,
                            epochs, runSeed);
                    double acc = TransferTraining.accuracy(t.model(), data.targetTest());
                    runs.add(new Run(a, n, s, picked.length, epochs, acc, t.seconds(), t.cpuSeconds()));
                    line.append(String.format(Locale.ROOT, " %s %.3f (%.1f CPU s)", a.label.substring(0, 3), acc,
                            t.cpuSeconds()));
                }
                log.accept(line.toString());
            }
        }
        Files.writeString(out.resolve("learning-curve.csv"), csv(runs));
        List<Point> points = points(runs);
        CurveCharts.learningCurve(points, title, out.resolve("learning-curve.png"));
        CurveCharts.accuracyAgainstTime(points, config.targets(), title, out.resolve("time-to-accuracy.png"));
        return new Result(runs, sourceAccuracy, pretrainSeconds);
    }

    /**
     * Returns the indices of the first {@code n} examples of each class {@code 0 .. classes-1} in
     * the order of a random permutation drawn from {@code seed}, sorted: for one seed, the subset
     * for a smaller {@code n} is contained in the one for a larger {@code n}. Modifies nothing.
     *
     * @throws IllegalArgumentException if a class has fewer than {@code n} examples (naming it)
     */
    static int[] perClassSubset(int[] labels, int classes, int n, long seed) {
        int[] taken = new int[classes];
        int[] picked = new int[classes * n];
        int count = 0;
        for (int i : new Generator(seed).permutation(labels.length)) {
            int c = labels[i];
            if (c < 0 || c >= classes) {
                throw new IllegalArgumentException("transfer curve: label " + labels[i] + " at " + i + " is not in 0.."
                        + (classes - 1));
            }
            if (taken[c] < n) {
                taken[c]++;
                picked[count++] = i;
            }
        }
        for (int c = 0; c < classes; c++) {
            if (taken[c] < n) {
                throw new IllegalArgumentException("transfer curve: class " + c + " has " + taken[c] + " training images, fewer"
                        + " than the " + n + " per class asked for");
            }
        }
        Arrays.sort(picked);
        return picked;
    }

    /**
     * The epochs of a run on {@code images} images in batches of {@link TransferTraining#BATCH}: at
     * least {@code epochs}, and enough for {@code minSteps} optimizer steps.
     */
    static int epochsFor(int images, int epochs, int minSteps) {
        int batches = (images + TransferTraining.BATCH - 1) / TransferTraining.BATCH;
        return Math.max(epochs, (minSteps + batches - 1) / batches);
    }

    /**
     * Returns the examples of {@code data} whose label is in {@code [from, to)}, relabelled {@code
     * 0 .. to-from-1}, with their class names: a new dataset (features and targets copied).
     *
     * @throws IllegalArgumentException if the range is empty or no example falls in it
     */
    static TensorDataset classes(TensorDataset data, int from, int to) {
        if (from < 0 || to <= from) {
            throw new IllegalArgumentException("transfer curve: class range [" + from + ", " + to + ") is empty");
        }
        int[] labels = data.labels();
        int[] keep = IntStream.range(0, labels.length).filter(i -> labels[i] >= from && labels[i] < to)
                .toArray();
        if (keep.length == 0) {
            throw new IllegalArgumentException("transfer curve: no example has a label in [" + from + ", " + to + ")");
        }
        int[] relabelled = new int[keep.length];
        for (int i = 0; i < keep.length; i++) {
            relabelled[i] = labels[keep[i]] - from;
        }
        Tensor features = data.features().indexSelect(0, Tensor.ofInts(data.features().device(), keep));
        List<String> names = data.classNames().size() >= to ? data.classNames().subList(from, to) : List.of();
        return new TensorDataset(features, Tensor.ofInts(data.features().device(), relabelled), names);
    }

    /** Returns the runs as CSV: {@link #CSV_HEADER}, then one line per run, in order. */
    static String csv(List<Run> runs) {
        StringBuilder sb = new StringBuilder(CSV_HEADER).append('\n');
        for (Run r : runs) {
            sb.append('"').append(r.approach().title).append('"').append(String.format(Locale.ROOT, ",%d,%d,%d,%d,%.6f,%.4f,%.4f%n",
                    r.perClass(), r.seed(), r.trainImages(), r.epochs(), r.accuracy(), r.seconds(), r.cpuSeconds()));
        }
        return sb.toString();
    }

    /**
     * Groups the runs by approach and size: mean, smallest and largest accuracy and mean training
     * seconds (wall-clock and CPU) over the seeds; returned by approach (in {@link Approach} order), then by increasing size.
     */
    static List<Point> points(List<Run> runs) {
        List<Point> points = new ArrayList<>();
        for (Approach a : Approach.values()) {
            int[] sizes = runs.stream().filter(r -> r.approach() == a).mapToInt(Run::perClass).distinct().sorted().toArray();
            for (int n : sizes) {
                double[] acc = runs.stream().filter(r -> r.approach() == a && r.perClass() == n).mapToDouble(Run::accuracy)
                        .toArray();
                double secs = runs.stream().filter(r -> r.approach() == a && r.perClass() == n).mapToDouble(Run::seconds)
                        .average().orElseThrow();
                double cpu = runs.stream().filter(r -> r.approach() == a && r.perClass() == n).mapToDouble(Run::cpuSeconds)
                        .average().orElseThrow();
                points.add(new Point(a, n, Arrays.stream(acc).average().orElseThrow(), Arrays.stream(acc).min().orElseThrow(),
                        Arrays.stream(acc).max().orElseThrow(), secs, cpu));
            }
        }
        return points;
    }

    /**
     * For each approach, the point with the fewest labelled images per class among those whose
     * mean accuracy reaches {@code target} (its training time is what reaching the target costs:
     * runs on more images take at least as many steps), or none if no point does; in {@link
     * Approach} order.
     */
    static List<Optional<Point>> timeToTarget(List<Point> points, double target) {
        List<Optional<Point>> best = new ArrayList<>();
        for (Approach a : Approach.values()) {
            best.add(points.stream().filter(p -> p.approach() == a && p.mean() >= target)
                    .min(Comparator.comparingInt(Point::perClass)));
        }
        return best;
    }

    /**
     * Returns a Markdown table: one row per approach, one column per size, each cell the mean
     * accuracy with the range over the seeds, e.g. {@code 0.912 (0.90-0.93)}.
     */
    static String accuracyTable(List<Point> points) {
        int[] sizes = points.stream().mapToInt(Point::perClass).distinct().sorted().toArray();
        StringBuilder sb = new StringBuilder("| approach |");
        StringBuilder rule = new StringBuilder("|---|");
        for (int n : sizes) {
            sb.append(' ').append(n).append(" / class |");
            rule.append("---|");
        }
        sb.append('\n').append(rule).append('\n');
        for (Approach a : Approach.values()) {
            sb.append("| ").append(a.title).append(" |");
            for (int n : sizes) {
                Optional<Point> p = points.stream().filter(q -> q.approach() == a && q.perClass() == n).findFirst();
                sb.append(p.map(q -> String.format(Locale.ROOT, " %.3f (%.2f-%.2f) |", q.mean(), q.min(), q.max())).orElse(" |"));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /**
     * Returns a Markdown table of {@link #timeToTarget}: one row per approach, one column per
     * target, each cell the fewest labelled images per class with which the approach's mean
     * accuracy reaches the target and the mean training CPU seconds of those runs, or "not reached".
     */
    static String timeToTargetTable(List<Point> points, double[] targets) {
        StringBuilder sb = new StringBuilder("| approach |");
        StringBuilder rule = new StringBuilder("|---|");
        for (double t : targets) {
            sb.append(String.format(Locale.ROOT, " to reach %.2f: images per class, CPU s |", t));
            rule.append("---|");
        }
        sb.append('\n').append(rule).append('\n');
        List<List<Optional<Point>>> best = new ArrayList<>();
        for (double t : targets) {
            best.add(timeToTarget(points, t));
        }
        for (Approach a : Approach.values()) {
            sb.append("| ").append(a.title).append(" |");
            for (List<Optional<Point>> b : best) {
                sb.append(b.get(a.ordinal()).map(p -> String.format(Locale.ROOT, " %d, %.1f s |", p.perClass(), p.cpuSeconds()))
                        .orElse(" not reached |"));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static int classCount(int[] labels) {
        return Arrays.stream(labels).max().orElseThrow(() -> new IllegalArgumentException("transfer curve: empty dataset")) + 1;
    }
}
