package dev.tessera.examples;

import dev.tessera.nn.data.Datasets;
import dev.tessera.nn.data.TensorDataset;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What transfer learning is for, measured as a curve ({@code transfer --mode same-domain}): a
 * {@link SmallCnn} is pretrained on Fashion-MNIST classes 0-4 (T-shirt, trouser, pullover, dress,
 * coat; all 30,000 training images), then learns classes 5-9 (sandal, shirt, sneaker, bag, ankle
 * boot) from 10, 30, 100, 300 and 1,000 labelled images per class with each {@link
 * TransferTraining.Approach}, several seeds per point, each run scored on all 5,000 test images of
 * classes 5-9. Prints the accuracy table and the training time to reach a target accuracy, and
 * writes {@code learning-curve.png}, {@code time-to-accuracy.png} and {@code learning-curve.csv}
 * (see {@link TransferCurve}).
 */
final class TransferCurveExample {
    private TransferCurveExample() {
    }

    /** Parses the options (see {@code --help}), runs the curve, prints the tables. */
    static void main(String[] argv) throws IOException {
        Args args = new Args("transfer --mode same-domain")
                .option("mode", "same-domain", "same-domain (this curve), distant (Fashion-MNIST -> digits) or zoo (a MobileNetV2)")
                .option("out", "tessera-transfer-curve", "directory for the charts, the CSV and the pretrained weights")
                .option("sizes", "10,30,100,300,1000", "labelled training images per class, one point of the curve each")
                .option("seeds", "3", "runs per approach and size, each with other images, initialisation and shuffling")
                .option("epochs", "4", "the fewest training epochs of a run")
                .option("min-steps", "150", "the fewest optimizer steps (batches of 32) of a run: small sets get more epochs")
                .option("pretrain-epochs", "2", "epochs of pretraining on classes 0-4")
                .option("targets", "0.90,0.95", "the accuracies whose training time is reported (comma-separated)")
                .option("seed", "42", "the base seed")
                .option("fashion-dir", Datasets.FASHION_MNIST_DEFAULT_DIR.toString(), "directory of the Fashion-MNIST IDX files");
        if (!args.parse(argv)) {
            return;
        }
        Path dir = Path.of(args.get("fashion-dir"));
        FashionMnistFiles.require("transfer", dir, "--fashion-dir");
        System.setProperty("java.awt.headless", "true");
        long start = System.nanoTime();
        TransferCurve.Config config = new TransferCurve.Config(sizes(args.get("sizes")), args.getInt("seeds"),
                Long.parseLong(args.get("seed")), args.getInt("epochs"), args.getInt("min-steps"), args.getInt("pretrain-epochs"),
                targets(args.get("targets")));
        TensorDataset train = Datasets.fashionMnist(dir, true);
        TensorDataset test = Datasets.fashionMnist(dir, false);
        TransferCurve.Data data = new TransferCurve.Data(TransferCurve.classes(train, 0, 5), TransferCurve.classes(test, 0, 5),
                TransferCurve.classes(train, 5, 10), TransferCurve.classes(test, 5, 10));
        System.out.printf(Locale.ROOT, "Source: Fashion-MNIST %s, %,d training images.%nTarget: %s, %s labelled images per class,"
                + " %d seeds, scored on %,d test images.%n", data.sourceTrain().classNames(), data.sourceTrain().size(),
                data.targetTrain().classNames(), Arrays.toString(config.perClass()), config.seeds(), data.targetTest().size());

        TransferCurve.Result result = TransferCurve.run(config, data, Path.of(args.get("out")),
                "Fashion-MNIST: pretrained on classes 0-4, learning classes 5-9", System.out::println);

        List<TransferCurve.Point> points = TransferCurve.points(result.runs());
        System.out.println();
        System.out.println("Test accuracy on classes 5-9, mean (min-max) over " + config.seeds() + " seeds:");
        System.out.println(TransferCurve.accuracyTable(points));
        System.out.printf(Locale.ROOT, "Labelled images per class and training CPU seconds per run to reach a target mean"
                + " accuracy (pretraining, %.1f s wall-clock, not included):%n", result.pretrainSeconds());
        System.out.println(TransferCurve.timeToTargetTable(points, config.targets()));
        System.out.printf(Locale.ROOT, "Wrote learning-curve.png, time-to-accuracy.png and learning-curve.csv into %s in %.1f s"
                + " in all%n", args.get("out"), (System.nanoTime() - start) / 1e9);
    }

    /** Parses a comma-separated list of accuracies such as {@code 0.9,0.95}. */
    static double[] targets(String list) {
        try {
            return Arrays.stream(list.split(",")).map(String::trim).mapToDouble(Double::parseDouble).toArray();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--targets needs comma-separated numbers, got '" + list + "'");
        }
    }

    /** Parses a comma-separated list of sizes such as {@code 10,30,100}. */
    static int[] sizes(String list) {
        try {
            return Arrays.stream(list.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--sizes needs comma-separated integers, got '" + list + "'");
        }
    }
}
