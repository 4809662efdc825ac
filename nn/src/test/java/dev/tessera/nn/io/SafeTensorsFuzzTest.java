package dev.tessera.nn.io;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tessera.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Corrupted files either load or fail with a {@link SafeTensorsException}; never anything else. */
class SafeTensorsFuzzTest {
    @TempDir
    Path dir;

    @Test
    void randomCorruptionsFailCleanly() throws IOException {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("w", Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
        m.put("ids", Tensor.ofInts(new int[] {7, 8}, 2));
        m.put("s", Tensor.scalar(3f));
        Path good = dir.resolve("good.safetensors");
        SafeTensors.save(m, Map.of("format", "pt"), good);
        byte[] original = Files.readAllBytes(good);
        SplittableRandom rnd = new SplittableRandom(1234);
        Path f = dir.resolve("fuzz.safetensors");
        int failures = 0;
        for (int trial = 0; trial < 3000; trial++) {
            byte[] b = original.clone();
            switch (trial % 3) {
                case 0: // flip a few bytes in the header
                    for (int k = 0; k < 1 + rnd.nextInt(3); k++) {
                        b[8 + rnd.nextInt(b.length - 8 - 36)] = (byte) rnd.nextInt(256);
                    }
                    break;
                case 1: // truncate
                    b = Arrays.copyOf(b, rnd.nextInt(b.length));
                    break;
                default: // replace a header character by one of JSON's structural characters or a digit
                    b[8 + rnd.nextInt(b.length - 8 - 36)] = (byte) "{}[],:\"0123456789-.e ".charAt(rnd.nextInt(21));
            }
            Files.write(f, b);
            try {
                SafeTensors.read(f);
            } catch (SafeTensorsException e) {
                failures++;
                assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
            } catch (RuntimeException e) {
                fail("trial " + trial + " threw " + e, e);
            }
        }
        assertTrue(failures > 2000, "most corruptions must be detected, got " + failures);
    }
}
