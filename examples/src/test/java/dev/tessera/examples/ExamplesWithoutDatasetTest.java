package dev.tessera.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.cpu.ChildJvm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The examples that need Fashion-MNIST, started as a user would in a fresh JVM with the files
 * missing: one line saying what to do and a non-zero exit status, or the bundled digits instead.
 */
class ExamplesWithoutDatasetTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    private static ChildJvm.Result main(String... args) throws Exception {
        return ChildJvm.run(TIMEOUT, Map.of(), List.of("--add-modules", "jdk.incubator.vector", "-Djava.awt.headless=true"),
                Main.class.getName(), List.of(args));
    }

    /** The lines the example itself printed: without the JVM's incubator warning and the backend's log lines. */
    private static List<String> ownLines(String output) {
        return Arrays.stream(output.split("\n")).filter(l -> !l.isBlank())
                .filter(l -> !l.startsWith("WARNING: Using incubator modules") && !l.contains(" INFO "))
                .collect(Collectors.toList());
    }

    @ParameterizedTest(name = "transfer --mode {0}")
    @ValueSource(strings = {"distant", "same-domain", "zoo"})
    void transferSaysWhatToInstallInOneLineAndExitsWithStatus2(String mode, @TempDir Path tmp) throws Exception {
        Path missing = tmp.resolve("no-fashion");
        ChildJvm.Result r = main("transfer", "--mode", mode, "--fashion-dir", missing.toString(), "--out",
                tmp.resolve("out").toString());
        assertTrue(r.finished(), r.output());
        assertEquals(2, r.exitCode(), r.output());
        assertEquals(List.of("transfer: " + FashionMnistFiles.missing(missing, "--fashion-dir")), ownLines(r.output()),
                r.output());
    }

    @Test
    void anUnknownTransferModeIsOneLineAndStatus2() throws Exception {
        ChildJvm.Result r = main("transfer", "--mode", "nearby");
        assertEquals(2, r.exitCode(), r.output());
        List<String> lines = ownLines(r.output());
        assertEquals(1, lines.size(), r.output());
        assertTrue(lines.get(0).contains("--mode must be distant, same-domain or zoo, got 'nearby'"), r.output());
    }

    @Test
    void cnnFallsBackToTheBundledDigitsAndSaysWhy(@TempDir Path tmp) throws Exception {
        Path missing = tmp.resolve("no-fashion");
        ChildJvm.Result r = main("cnn", "--data-dir", missing.toString(), "--epochs", "1", "--out", tmp.resolve("out").toString());
        r.assertSucceeded();
        List<String> lines = new ArrayList<>(ownLines(r.output()));
        assertEquals(FashionMnistFiles.missing(missing, "--data-dir") + "; training on the bundled digits instead.",
                lines.get(0), r.output());
        assertTrue(lines.get(1).startsWith("Digits: "), r.output());
        assertFalse(r.output().contains("Exception"), r.output());
    }
}
