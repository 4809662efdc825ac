package dev.tessera.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The main example end to end on the bundled digits, with files left in its checkpoint directory by earlier runs. */
class TrainClassifierTest {

    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true"); // the example draws a chart
    }

    @ParameterizedTest(name = "left in the checkpoint directory: {0}")
    @ValueSource(strings = {".checkpoint.safetensors.0123456789abcdef.tmp", "notes.txt"})
    void theFinalCleanUpToleratesLeftovers(String leftover, @org.junit.jupiter.api.io.TempDir Path out) throws Exception {
        Path checkpoints = out.resolve("checkpoints");
        Files.createDirectories(checkpoints);
        Files.write(checkpoints.resolve(leftover), new byte[100]); // e.g. a checkpoint write that was killed

        TrainClassifier.main(new String[] {"--digits", "--epochs", "2", "--hidden", "16", "--device", "cpu", "--out",
            out.toString()});

        assertTrue(Files.exists(out.resolve("model.safetensors")) && Files.exists(out.resolve("history.csv")));
        assertFalse(Files.exists(checkpoints.resolve("checkpoint.safetensors")));
        assertFalse(Files.exists(checkpoints.resolve("checkpoint.previous.safetensors")));
        boolean foreign = !leftover.endsWith(".tmp");
        assertEquals(foreign, Files.exists(checkpoints), "the directory is removed unless it holds other files");
        assertEquals(foreign, Files.exists(checkpoints.resolve(leftover)));
    }
}
