package dev.tessera.examples;

import dev.tessera.Generator;
import dev.tessera.Tensor;
import dev.tessera.nn.Identity;
import dev.tessera.nn.Module;
import dev.tessera.nn.Random;
import dev.tessera.nn.Sequential;
import dev.tessera.nn.data.DataLoader;
import dev.tessera.nn.data.Dataset;
import dev.tessera.nn.data.Datasets;
import dev.tessera.nn.data.TensorDataset;
import dev.tessera.nn.models.MobileNet;
import dev.tessera.nn.optim.Adam;
import dev.tessera.nn.transfer.FeatureExtractor;
import dev.tessera.nn.transfer.FineTuning;
import dev.tessera.nn.transfer.Heads;
import dev.tessera.nn.transfer.LoadOptions;
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
import java.util.function.Consumer;

/**
 * Transfer learning that starts from a model-zoo architecture ({@code transfer --mode zoo}): a
 * torchvision-layout MobileNetV2 ({@link MobileNet#mobilenetV2(int, double)} at a reduced width) is
 * pretrained on Fashion-MNIST classes 0-4 (the images made 3-channel and zero-padded to 32x32) and
 * saved as safetensors, as a PyTorch user would export it; then a fresh MobileNetV2 for classes
 * 5-9 loads that file with {@link Pretrained#load} (everything but the old head, which the report
 * lists as skipped), and three ways of learning classes 5-9 from a few labelled images per class
 * are compared: from scratch, frozen pretrained features with a new linear head, and full
 * fine-tuning. Every approach starts from the same initialisation of the new model (the same
 * seed), sees the same images in the same batches for the same epochs, and is scored on all test
 * images of classes 5-9.
 */
final class TransferZooExample {
    /** Classes of the source task and of the target task. */
    static final int CLASSES = 5;
    /** Examples per training batch on the target task. */
    static final int BATCH = 32;
    /** Examples per pretraining batch. */
    static final int PRETRAIN_BATCH = 64;
    /** The side of the images the model sees. */
    static final int SIDE = 32;
    /** Source test images the pretrained model is scored on (at most). */
    static final int SOURCE_TEST = 2000;
    /** MobileNetV2's head: {@code classifier.0} (dropout) and {@code classifier.1} (the linear layer). */
    static final String HEAD = "classifier";
    /** The head's linear layer. */
    static final String HEAD_LINEAR = "classifier.1";

    private TransferZooExample() {
    }

    /** The ways of learning the target task, with their table titles. */
    enum Approach {
        SCRATCH("from scratch"),
        FROZEN_FEATURES("frozen features + new linear head"),
        FULL("full fine-tuning");

        final String title;

        Approach(String title) {
            this.title = title;
        }
    }

    /**
     * What to run.
     *
     * @param width           MobileNetV2's width multiplier
     * @param pretrainSamples source training images used for pretraining (at most all of them)
     * @param pretrainEpochs  epochs of pretraining
     * @param perClass        labelled target training images per class
     * @param epochs          training epochs of every approach on the target task
     * @param seed            the seed of the subsets, the initialisation and the shuffling
     */
    record Config(double width, int pretrainSamples, int pretrainEpochs, int perClass, int epochs, long seed) {
        /** Checks the values; the message names the one at fault. */
        Config {
            if (!(width > 0) || pretrainSamples < 2 || pretrainEpochs < 1 || perClass < 1 || epochs < 1) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "transfer zoo: needs width > 0, pretrain"
                        + " samples >= 2 and pretrain epochs, images per class and epochs >= 1; got width %s, pretrain"
                        + " samples %d, pretrain epochs %d, per class %d, epochs %d", width, pretrainSamples, pretrainEpochs,
                        perClass, epochs));
            }
        }
    }

    /**
     * One approach, trained and scored.
     *
     * @param approach   the approach
     * @param accuracy   the fraction of the target test set classified correctly
     * @param seconds    wall-clock training time (loading the weights and extracting features included)
     * @param cpuSeconds CPU time of the whole JVM over the same span
     * @param trainable  parameters trained
     */
    record Row(Approach approach, double accuracy, double seconds, double cpuSeconds, long trainable) {
    }

    /**
     * What {@link #run} measured.
     *
     * @param report          what loading the pretrained file into a fresh model for the target task did
     * @param parameters      the parameters of the model
     * @param sourceAccuracy  the pretrained model's accuracy on the source test images
     * @param pretrainSeconds how long pretraining took
     * @param rows            one row per approach, in {@link Approach} order
     */
    record Result(TransferReport report, long parameters, double sourceAccuracy, double pretrainSeconds, List<Row> rows) {
    }

    /** Parses the options (see {@code --help}), runs the comparison on Fashion-MNIST, prints the report and the table. */
    static void main(String[] argv) throws IOException {
        Args args = new Args("transfer --mode zoo")
                .option("mode", "zoo", "zoo (this run), distant or same-domain")
                .option("out", "tessera-transfer-zoo", "directory for the pretrained weights")
                .option("width", "0.35", "MobileNetV2's width multiplier")
                .option("pretrain-samples", "10000", "training images of classes 0-4 used for pretraining (at most 30,000)")
                .option("pretrain-epochs", "2", "epochs of pretraining on classes 0-4")
                .option("per-class", "100", "labelled training images per class of classes 5-9")
                .option("epochs", "10", "training epochs of every approach on classes 5-9")
                .option("seed", "42", "seed of the subsets, the initialisation and the shuffling")
                .option("fashion-dir", Datasets.FASHION_MNIST_DEFAULT_DIR.toString(), "directory of the Fashion-MNIST IDX files");
        if (!args.parse(argv)) {
            return;
        }
        Path dir = Path.of(args.get("fashion-dir"));
        FashionMnistFiles.require("transfer", dir, "--fashion-dir");
        double width;
        try {
            width = Double.parseDouble(args.get("width"));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--width needs a number, got '" + args.get("width") + "'");
        }
        Config config = new Config(width, args.getInt("pretrain-samples"), args.getInt("pretrain-epochs"),
                args.getInt("per-class"), args.getInt("epochs"), Long.parseLong(args.get("seed")));
        long start = System.nanoTime();
        TensorDataset train = Datasets.fashionMnist(dir, true);
        TensorDataset test = Datasets.fashionMnist(dir, false);
        TransferCurve.Data data = new TransferCurve.Data(TransferCurve.classes(train, 0, 5), TransferCurve.classes(test, 0, 5),
                TransferCurve.classes(train, 5, 10), TransferCurve.classes(test, 5, 10));
        System.out.printf(Locale.ROOT, "Source: Fashion-MNIST %s.%nTarget: %s, %d labelled images per class, scored on %,d"
                + " test images.%nImages: 28x28 grey, zero-padded to 32x32 and repeated over 3 channels.%n",
                data.sourceTrain().classNames(), data.targetTrain().classNames(), config.perClass(), data.targetTest().size());
        Result result = run(config, data, Path.of(args.get("out")), System.out::println);
        System.out.println();
        System.out.println(table(result.rows()));
        System.out.printf(Locale.ROOT, "Wrote %s in %.1f s in all%n", Path.of(args.get("out")).resolve(weightsFile(config)),
                (System.nanoTime() - start) / 1e9);
    }

    /** The name of the pretrained weights' file, e.g. {@code mobilenet_v2-0.35-classes0-4.safetensors}. */
    static String weightsFile(Config config) {
        return String.format(Locale.ROOT, "mobilenet_v2-%s-classes0-4.safetensors", config.width());
    }

    /**
     * Pretrains a MobileNetV2 on {@code data}'s source (a random subset of {@code pretrainSamples}
     * images), saves it into {@code out} (created if needed, the file overwritten), loads it into a
     * fresh model for the target task and reports that to {@code log}, then trains and scores
     * every {@link Approach} on {@code perClass} target images per class. Images of {@code data} are
     * {@code [n, 1, h, w]} with {@code h, w <= 32}, labels {@code 0 .. 4}; they are not modified.
     *
     * @throws IllegalArgumentException if a target class has fewer than {@code perClass} training images
     */
    static Result run(Config config, TransferCurve.Data data, Path out, Consumer<String> log) throws IOException {
        int[] picked = TransferCurve.perClassSubset(data.targetTrain().labels(), CLASSES, config.perClass(), config.seed());
        Files.createDirectories(out);
        Path weights = out.resolve(weightsFile(config));

        // 1. Pretrain on the source classes and save the state dict, as a PyTorch user would export one.
        int[] perm = new Generator(config.seed()).permutation(data.sourceTrain().size());
        TensorDataset source = rgb32(data.sourceTrain(), Arrays.copyOf(perm, Math.min(config.pretrainSamples(), perm.length)));
        int[] testPerm = new Generator(config.seed() + 1).permutation(data.sourceTest().size());
        TensorDataset sourceTest = rgb32(data.sourceTest(), Arrays.copyOf(testPerm, Math.min(SOURCE_TEST, testPerm.length)));
        MobileNet pretrained = newModel(config);
        log.accept(String.format(Locale.ROOT, "Pretraining MobileNetV2 (width %s, %,d parameters) on %,d images of classes 0-4"
                + " for %d epochs...", config.width(), pretrained.parameterCount(), source.size(), config.pretrainEpochs()));
        long t0 = System.nanoTime();
        TransferTraining.fit(pretrained, new Adam(pretrained.parameters(), 1e-3f),
                loader(source, PRETRAIN_BATCH, config.seed()), config.pretrainEpochs());
        double pretrainSeconds = (System.nanoTime() - t0) / 1e9;
        Pretrained.save(pretrained, weights);
        double sourceAccuracy = TransferTraining.accuracy(pretrained, sourceTest);
        log.accept(String.format(Locale.ROOT, "Pretrained in %.1f s: accuracy %.4f on %,d test images of classes 0-4; saved %s",
                pretrainSeconds, sourceAccuracy, sourceTest.size(), weights));

        // 2. What loading it into a fresh model for classes 5-9 does.
        TransferReport report = Pretrained.load(newModel(config), weights, loadOptions());
        log.accept("Loading it into a new MobileNetV2 for classes 5-9 (the old head excluded): "
                + report.summary().replace("\n", "\n  "));

        // 3. The approaches, on the same images, initialisation and batches.
        TensorDataset train = rgb32(data.targetTrain(), picked);
        TensorDataset test = rgb32(data.targetTest(), null);
        List<Row> rows = new ArrayList<>();
        for (Approach a : Approach.values()) {
            Row row = train(a, train, test, weights, config);
            rows.add(row);
            log.accept(String.format(Locale.ROOT, "  %-34s accuracy %.4f, %.1f s (%.1f CPU s)", a.title, row.accuracy(),
                    row.seconds(), row.cpuSeconds()));
        }
        return new Result(report, pretrained.parameterCount(), sourceAccuracy, pretrainSeconds, rows);
    }

    /** The options that load everything but the old head ({@code classifier.*}), which stays as initialised. */
    static LoadOptions loadOptions() {
        return LoadOptions.builder().exclude(HEAD).build();
    }

    /** A new MobileNetV2 with {@link #CLASSES} outputs at the configured width, initialised from the configured seed. */
    static MobileNet newModel(Config config) {
        Random.manualSeed(config.seed());
        return MobileNet.mobilenetV2(CLASSES, config.width());
    }

    /**
     * Trains a new model with {@code approach} on {@code train} and scores it on {@code test};
     * reads {@code weights} (but from scratch).
     */
    static Row train(Approach approach, TensorDataset train, TensorDataset test, Path weights, Config config)
            throws IOException {
        long t0 = System.nanoTime();
        long cpu0 = TransferTraining.cpuNanos();
        MobileNet model = newModel(config);
        if (approach != Approach.SCRATCH) {
            Pretrained.load(model, weights, loadOptions());
        }
        Module evaluated = model;
        long trainable;
        switch (approach) {
            case SCRATCH -> {
                trainable = model.parameterCount();
                TransferTraining.fit(model, new Adam(model.parameters(), 1e-3f), loader(train, BATCH, config.seed()),
                        config.epochs());
            }
            case FROZEN_FEATURES -> {
                Module head = Heads.replace(model, HEAD_LINEAR, new Identity()); // as initialised
                Module backbone = model.freeze(); // now outputs the pooled features
                TensorDataset features = FeatureExtractor.extract(backbone, train, 256);
                trainable = head.parameterCount();
                TransferTraining.fit(head, new Adam(head.parameters(), 1e-2f), loader(features, BATCH, config.seed()),
                        config.epochs());
                evaluated = new Sequential(backbone, head);
            }
            case FULL -> {
                trainable = model.parameterCount();
                Map<String, Float> lrs = new LinkedHashMap<>();
                lrs.put(HEAD, 1e-3f);
                lrs.put("**", 3e-4f);
                TransferTraining.fit(model, new Adam(FineTuning.paramGroups(model, lrs), new Adam.Options()),
                        loader(train, BATCH, config.seed()), config.epochs());
            }
            default -> throw new IllegalStateException("unknown approach " + approach);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        double cpuSeconds = (TransferTraining.cpuNanos() - cpu0) / 1e9;
        return new Row(approach, TransferTraining.accuracy(evaluated, test), seconds, cpuSeconds, trainable);
    }

    /**
     * A shuffled loader of {@code data} in batches of {@code batch}; a last batch of a single
     * example is dropped (batch norm in training mode cannot normalise one value per channel, and
     * MobileNetV2's last blocks see 1x1 maps at 32x32 input; a dataset of one example gives no
     * batch).
     */
    static DataLoader loader(Dataset data, int batch, long seed) {
        return new DataLoader(data, batch, true, seed, data.size() % batch == 1, false);
    }

    /**
     * Returns the images of {@code data} at {@code keep} (every image when null) as {@code [n, 3,
     * 32, 32]}: each {@code [1, h, w]} image (h, w at most 32) zero-padded to 32x32, centred, and
     * repeated over three channels; with their labels and class names. A new dataset; {@code data}
     * is not modified.
     *
     * @throws IllegalArgumentException if the images are not {@code [n, 1, h, w]} with h, w at most 32
     */
    static TensorDataset rgb32(TensorDataset data, int[] keep) {
        Tensor x = data.features();
        Tensor y = data.targets();
        if (x.dim() != 4 || x.size(1) != 1 || x.size(2) > SIDE || x.size(3) > SIDE) {
            throw new IllegalArgumentException("transfer zoo: expected grey images [n, 1, h, w] with h, w <= " + SIDE
                    + ", got " + Arrays.toString(x.shape()));
        }
        try (var ng = Tensor.noGrad()) {
            if (keep != null) {
                Tensor idx = Tensor.ofInts(x.device(), keep);
                x = x.indexSelect(0, idx);
                y = y.indexSelect(0, idx);
            }
            int n = x.size(0);
            Tensor rows = padding(x.size(2)); // [h, 32]
            Tensor cols = padding(x.size(3)); // [w, 32]
            Tensor padded = x.matmul(cols).transpose(2, 3).matmul(rows).transpose(2, 3); // [n, 1, 32, 32]
            Tensor rgb = padded.expand(n, 3, SIDE, SIDE).contiguous();
            return new TensorDataset(rgb, y.contiguous(), data.classNames());
        }
    }

    /** The {@code [in, 32]} matrix that places {@code in} samples in the middle of 32 (zeros around). */
    static Tensor padding(int in) {
        float[] p = new float[in * SIDE];
        int offset = (SIDE - in) / 2;
        for (int i = 0; i < in; i++) {
            p[i * SIDE + i + offset] = 1f;
        }
        return Tensor.of(p, in, SIDE);
    }

    /** A Markdown table: one row per approach with its accuracy, training seconds (wall-clock and CPU) and trained parameters. */
    static String table(List<Row> rows) {
        StringBuilder sb = new StringBuilder("| approach | accuracy | train s | train CPU s | trained params |\n");
        sb.append("|---|---|---|---|---|\n");
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "| %s | %.4f | %.1f | %.1f | %,d |%n", r.approach().title, r.accuracy(),
                    r.seconds(), r.cpuSeconds(), r.trainable()));
        }
        return sb.toString();
    }
}
