package dev.tessera.examples;

import dev.tessera.Device;
import dev.tessera.Tensor;
import dev.tessera.nn.Dropout;
import dev.tessera.nn.F;
import dev.tessera.nn.Flatten;
import dev.tessera.nn.Linear;
import dev.tessera.nn.Random;
import dev.tessera.nn.ReLU;
import dev.tessera.nn.Sequential;
import dev.tessera.nn.data.DataLoader;
import dev.tessera.nn.data.Datasets;
import dev.tessera.nn.data.TensorDataset;
import dev.tessera.nn.io.SafeTensors;
import dev.tessera.nn.metrics.ConfusionMatrix;
import dev.tessera.nn.metrics.Metric;
import dev.tessera.nn.metrics.Metrics;
import dev.tessera.nn.optim.Adam;
import dev.tessera.nn.optim.CosineAnnealingLR;
import dev.tessera.nn.train.History;
import dev.tessera.nn.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The main example: trains a multilayer perceptron on Fashion-MNIST (or, when that is not
 * installed, on the bundled 8x8 digits), prints the test accuracy and confusion matrix, and saves
 * the model (safetensors), the training history (CSV) and its curves (PNG).
 *
 * <p>Training checkpoints go to the output directory after every epoch. If the run is killed,
 * the same command picks up where it stopped; a run that finishes removes its checkpoints, so the
 * next run starts fresh.
 */
public final class TrainClassifier {
    private TrainClassifier() {
    }

    /** Parses the options (see {@code --help}) and trains. */
    public static void main(String[] argv) throws Exception {
        Args args = new Args("train")
                .option("epochs", "10", "training epochs")
                .option("batch-size", "64", "examples per batch")
                .option("lr", "0.001", "Adam learning rate")
                .option("hidden", "256", "width of the first hidden layer (the second is half)")
                .option("data-dir", Datasets.FASHION_MNIST_DEFAULT_DIR.toString(), "Fashion-MNIST directory")
                .option("digits", null, "train on the bundled 8x8 digits instead of Fashion-MNIST")
                .option("device", "best", "where to train: cpu, opencl[:N], cuda[:N] or best (a GPU when one is usable)")
                .option("seed", "42", "seed for initialisation and shuffling")
                .option("out", "tessera-run", "directory for the model, history, chart and checkpoints");
        if (!args.parse(argv)) {
            return;
        }
        long seed = Long.parseLong(args.get("seed"));
        Random.manualSeed(seed);
        Device device = Device.getDefault(); // set from --device by Args
        Path out = Path.of(args.get("out"));
        Files.createDirectories(out);

        TensorDataset train;
        TensorDataset test;
        String dataName;
        Path dataDir = Path.of(args.get("data-dir"));
        if (!args.flag("digits") && Files.isDirectory(dataDir)) {
            train = Datasets.fashionMnist(dataDir, true);
            test = Datasets.fashionMnist(dataDir, false);
            dataName = "Fashion-MNIST";
        } else {
            if (!args.flag("digits")) {
                System.out.println("Fashion-MNIST not found in " + dataDir
                        + " (install it with 'apt-get install dataset-fashion-mnist' or pass --data-dir);"
                        + " training on the bundled 8x8 digits instead.");
            }
            TensorDataset all = Datasets.digits().mapFeatures(x -> x.div(16f));
            int[] perm = new dev.tessera.Generator(seed).permutation(all.size());
            int cut = all.size() * 4 / 5;
            train = materialise(all, java.util.Arrays.copyOfRange(perm, 0, cut));
            test = materialise(all, java.util.Arrays.copyOfRange(perm, cut, perm.length));
            dataName = "digits";
        }
        int features = train.numFeatures();
        int classes = train.numClasses();
        int hidden = args.getInt("hidden");
        System.out.printf(Locale.ROOT, "Data: %s, %d training and %d test examples, %d features, %d classes%n", dataName,
                train.size(), test.size(), features, classes);
        System.out.println("Device: " + device + "  (all devices: " + Device.available() + ")");

        Sequential model = new Sequential(new Flatten(), new Linear(features, hidden), new ReLU(), new Dropout(0.1),
                new Linear(hidden, hidden / 2), new ReLU(), new Linear(hidden / 2, classes));
        model.to(device);
        System.out.println(model);

        int epochs = args.getInt("epochs");
        Adam optimizer = new Adam(model.parameters(), args.getFloat("lr"));
        Path checkpoints = out.resolve("checkpoints");
        Trainer trainer = Trainer.builder(model, optimizer, F::crossEntropy)
                .epochs(epochs)
                .metrics(Metric.accuracy())
                .scheduler(new CosineAnnealingLR(optimizer, epochs, 0f))
                .checkpointDir(checkpoints)
                .build();
        DataLoader trainLoader = new DataLoader(train, args.getInt("batch-size"), true, seed, false, true);
        DataLoader testLoader = new DataLoader(test, 1000, false, 0);
        System.out.println("Checkpoints go to " + checkpoints + "; if this run is interrupted, run the same command to resume.");
        long start = System.nanoTime();
        History history = trainer.fit(trainLoader, testLoader);
        double seconds = (System.nanoTime() - start) / 1e9;

        Tensor scores = trainer.predict(testLoader);
        ConfusionMatrix cm = Metrics.confusionMatrix(scores, test.targets(), classes);
        System.out.printf(Locale.ROOT, "%nTest accuracy: %.2f%%  (macro F1 %.4f), trained in %.1f s%n", 100 * cm.accuracy(),
                cm.macroF1(), seconds);
        System.out.println("Confusion matrix (rows: true class, columns: predicted):");
        System.out.println(cm);
        if (!test.classNames().isEmpty()) {
            for (int c = 0; c < classes; c++) {
                System.out.printf(Locale.ROOT, "  %d = %-12s precision %.3f  recall %.3f  F1 %.3f%n", c, test.classNames().get(c),
                        cm.precision(c), cm.recall(c), cm.f1(c));
            }
        }

        Path modelFile = out.resolve("model.safetensors");
        SafeTensors.save(model.stateDict(), modelFile);
        Path csv = out.resolve("history.csv");
        history.writeCsv(csv);
        Path png = out.resolve("training-curves.png");
        Charts.saveHistory(history, "MLP on " + dataName, png);
        // Removes the checkpoints and any leftovers of interrupted checkpoint writes; a directory that
        // also holds other files is kept (and named in the log) rather than failing a finished run.
        if (!trainer.deleteCheckpoints()) {
            System.out.println("Kept " + checkpoints + ": it holds files other than checkpoints");
        }
        System.out.println("\nSaved the model to " + modelFile + ", the history to " + csv + " and the curves to " + png);
    }

    /** A tensor-backed copy of the examples at {@code indices}. */
    private static TensorDataset materialise(TensorDataset all, int[] indices) {
        var batch = all.get(indices);
        return new TensorDataset(batch.features(), batch.targets(), all.classNames());
    }
}
