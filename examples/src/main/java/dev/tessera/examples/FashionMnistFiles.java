package dev.tessera.examples;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Whether Fashion-MNIST's IDX files are in a directory, and the one line an example prints when they are not. */
final class FashionMnistFiles {
    private static final String[] FILES = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
        "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};

    private FashionMnistFiles() {
    }

    /** Returns true when all four IDX files (plain or .gz) are in {@code dir}. */
    static boolean present(Path dir) {
        return Stream.of(FILES).allMatch(f -> Files.isRegularFile(dir.resolve(f)) || Files.isRegularFile(dir.resolve(f + ".gz")));
    }

    /** The sentence saying that Fashion-MNIST is not in {@code dir}, what to install, and the option that points elsewhere. */
    static String missing(Path dir, String option) {
        return "Fashion-MNIST is not in " + dir + ": install it with 'sudo apt-get install dataset-fashion-mnist'"
                + " (Debian/Ubuntu) or pass " + option + " DIR with the four IDX files";
    }

    /**
     * Ends the program with {@link #missing} on standard error and exit status 2 unless the files
     * are in {@code dir}: for examples that cannot run without them.
     */
    static void require(String example, Path dir, String option) {
        if (!present(dir)) {
            System.err.println(example + ": " + missing(dir, option));
            System.exit(2);
        }
    }
}
