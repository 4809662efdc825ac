package dev.tessera.nn.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads the reference files written by {@code golden/golden_transformers.py}. */
final class GoldenFiles {
    private GoldenFiles() {
    }

    /** Returns the resource {@code golden/name}'s lines, without comments and blank lines. */
    static List<String> lines(String name) throws IOException {
        try (InputStream in = GoldenFiles.class.getResourceAsStream("/golden/" + name)) {
            assertNotNull(in, "golden/" + name + " is missing from the test resources");
            List<String> out = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    out.add(line.trim());
                }
            }
            return out;
        }
    }

    /** Reads {@code name} as "key v1 v2 ..." lines. */
    static Map<String, float[]> values(String name) throws IOException {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (String line : lines(name)) {
            String[] parts = line.split(" ");
            float[] v = new float[parts.length - 1];
            for (int i = 1; i < parts.length; i++) {
                v[i - 1] = Float.parseFloat(parts[i]);
            }
            out.put(parts[0], v);
        }
        return out;
    }

    /** Reads {@code name} as "key 2x3" lines ("scalar" for 0-d), in order, as "key [2, 3]" strings. */
    static List<String> stateShapes(String name) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : lines(name)) {
            String[] parts = line.split(" ");
            int[] shape = parts[1].equals("scalar") ? new int[0]
                    : Arrays.stream(parts[1].split("x")).mapToInt(Integer::parseInt).toArray();
            out.add(parts[0] + " " + Arrays.toString(shape));
        }
        return out;
    }

    /** Returns a model's state dict as "key [shape]" strings, in order. */
    static List<String> stateShapes(Map<String, Tensor> state) {
        List<String> out = new ArrayList<>();
        state.forEach((k, t) -> out.add(k + " " + Arrays.toString(t.shape())));
        return out;
    }

    /** Asserts {@code actual} equals {@code expected} within {@code tol} times the largest |expected|. */
    static void assertCloseRelative(String what, float[] expected, float[] actual, double tol) {
        assertEquals(expected.length, actual.length, what + ": number of values");
        double scale = 0;
        for (float e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        assertTrue(scale > 0.1, what + ": the reference values are not trivially small");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tol * scale, what + ": value " + i);
        }
    }
}
