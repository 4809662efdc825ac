package dev.tessera.nn.data;

import dev.tessera.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Ready-made datasets: four small ones bundled as resources (see {@code DATASETS.md} beside them
 * for origin and licence) and Fashion-MNIST read from disk.
 */
public final class Datasets {
    /** Where Debian's {@code dataset-fashion-mnist} package installs the files. */
    public static final Path FASHION_MNIST_DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");

    /** Fashion-MNIST's ten classes, in label order. */
    public static final List<String> FASHION_MNIST_CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    private Datasets() {
    }

    /** Handwritten digits: 1,797 examples of 64 pixel values (8x8, 0..16), labels 0..9. */
    public static TensorDataset digits() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            names.add(Integer.toString(i));
        }
        return bundled("digits.csv.gz", false, names);
    }

    /** Iris flowers: 150 examples of 4 measurements, 3 classes. */
    public static TensorDataset iris() {
        return bundled("iris.csv.gz", true, null);
    }

    /** Wine recognition: 178 examples of 13 chemical measurements, 3 cultivars. */
    public static TensorDataset wine() {
        return bundled("wine_data.csv.gz", true, null);
    }

    /** Breast Cancer Wisconsin (Diagnostic): 569 examples of 30 features, malignant (0) or benign (1). */
    public static TensorDataset breastCancer() {
        return bundled("breast_cancer.csv.gz", true, null);
    }

    /**
     * Loads a bundled CSV whose last column is the class; with {@code sklearnHeader}, the first line is
     * {@code samples,features,class names...} and is checked against the data.
     */
    private static TensorDataset bundled(String resource, boolean sklearnHeader, List<String> classNames) {
        try (InputStream in = Datasets.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("bundled dataset " + resource + " is missing from the tessera-nn jar");
            }
            Csv.Table table = Csv.read(in, resource, sklearnHeader);
            List<String> names = classNames;
            if (sklearnHeader) {
                List<String> h = table.header();
                int samples = Integer.parseInt(h.get(0));
                int features = Integer.parseInt(h.get(1));
                if (samples != table.rows().size() || features != table.columns() - 1) {
                    throw new IllegalStateException(resource + ": header says " + samples + "x" + features
                            + " but the file holds " + table.rows().size() + "x" + (table.columns() - 1));
                }
                names = h.subList(2, h.size());
            }
            return fromTable(table, names);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Splits a numeric table into FLOAT32 features (all columns but the last) and INT32 labels (the last). */
    public static TensorDataset fromTable(Csv.Table table, List<String> classNames) {
        int n = table.rows().size();
        int f = table.columns() - 1;
        if (f < 1) {
            throw new IllegalArgumentException("fromTable: need at least one feature column and a label column, got "
                    + table.columns() + " columns");
        }
        float[] x = new float[n * f];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            float[] row = table.rows().get(i);
            System.arraycopy(row, 0, x, i * f, f);
            float label = row[f];
            if (label != Math.rint(label) || label < 0) {
                throw new IllegalArgumentException("fromTable: row " + i + " has label " + label
                        + "; the last column must hold class indices 0, 1, 2, ...");
            }
            y[i] = (int) label;
        }
        return new TensorDataset(Tensor.of(x, n, f), Tensor.ofInts(y, n), classNames == null ? List.of() : classNames);
    }

    /** Fashion-MNIST from {@link #FASHION_MNIST_DEFAULT_DIR}; see {@link #fashionMnist(Path, boolean)}. */
    public static TensorDataset fashionMnist(boolean train) throws IOException {
        return fashionMnist(FASHION_MNIST_DEFAULT_DIR, train);
    }

    /**
     * Fashion-MNIST from {@code dir} holding {@code train-images-idx3-ubyte[.gz]},
     * {@code train-labels-idx1-ubyte[.gz]}, {@code t10k-...}: images as FLOAT32 {@code [n, 1, 28, 28]}
     * scaled to {@code [0, 1]}, labels INT32 0..9.
     *
     * @param train true for the 60,000 training images, false for the 10,000 test images
     * @throws IOException naming the missing file and how to get it
     */
    public static TensorDataset fashionMnist(Path dir, boolean train) throws IOException {
        String prefix = train ? "train" : "t10k";
        Path images = locate(dir, prefix + "-images-idx3-ubyte");
        Path labels = locate(dir, prefix + "-labels-idx1-ubyte");
        Tensor x = Idx.readFloat(images);
        Tensor y = Idx.readLabels(labels);
        if (x.dim() != 3 || x.size(0) != y.size(0)) {
            throw new IOException(images + ": expected [n, 28, 28] images matching " + y.size(0) + " labels in " + labels
                    + ", found shape " + java.util.Arrays.toString(x.shape()));
        }
        try (var ng = Tensor.noGrad()) {
            x = x.mul(1f / 255f).reshape(x.size(0), 1, x.size(1), x.size(2));
        }
        return new TensorDataset(x, y, FASHION_MNIST_CLASSES);
    }

    private static Path locate(Path dir, String base) throws IOException {
        for (String name : new String[] {base + ".gz", base}) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new IOException(dir.resolve(base + ".gz") + ": file not found. Install Fashion-MNIST with"
                + " 'apt-get install dataset-fashion-mnist' (Debian/Ubuntu) or download the four IDX files into " + dir);
    }
}
