package dev.tessera.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.Generator;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sequence example end to end on tiny settings, and its data. */
class SequenceExampleTest {

    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true"); // the example draws a chart
    }

    @Test
    void runsEveryModelAtEveryLengthAndWritesTheChart(@TempDir Path out) throws Exception {
        SequenceExample.main(new String[] {"--lengths", "4,8", "--steps", "3", "--batch", "4", "--hidden", "16",
            "--device", "cpu", "--out", out.toString()});
        Path png = out.resolve("sequence-recall.png");
        assertTrue(Files.exists(png) && Files.size(png) > 1000, "no chart at " + png);
    }

    @Test
    void theTargetIsTheFirstToken() {
        int[][] b = SequenceExample.batch(new Generator(1), 5, 7, 3);
        assertEquals(35, b[0].length);
        for (int s = 0; s < 5; s++) {
            assertEquals(b[0][s * 7], b[1][s]);
        }
    }
}
