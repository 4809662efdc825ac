package dev.tessera.examples;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the examples that need Fashion-MNIST tell whether it is there, and what they say when it is not. */
class FashionMnistFilesTest {

    @Test
    void allFourFilesPlainOrCompressedAreNeeded(@TempDir Path dir) throws Exception {
        assertFalse(FashionMnistFiles.present(dir));
        Files.writeString(dir.resolve("train-images-idx3-ubyte.gz"), "");
        Files.writeString(dir.resolve("train-labels-idx1-ubyte.gz"), "");
        Files.writeString(dir.resolve("t10k-images-idx3-ubyte"), "");
        assertFalse(FashionMnistFiles.present(dir), "three of the four files");
        Files.writeString(dir.resolve("t10k-labels-idx1-ubyte"), "");
        assertTrue(FashionMnistFiles.present(dir));
        assertFalse(FashionMnistFiles.present(dir.resolve("missing")));
    }

    @Test
    void theMessageSaysWhatToInstallAndWhichOptionPointsElsewhere() {
        String line = FashionMnistFiles.missing(Path.of("/nowhere"), "--data-dir");
        assertTrue(line.contains("/nowhere") && line.contains("apt-get install dataset-fashion-mnist")
                && line.contains("--data-dir DIR"), line);
        assertFalse(line.contains("\n"), "one line");
    }
}
