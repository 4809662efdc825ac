package dev.tessera.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.DType;
import dev.tessera.Tensor;
import dev.tessera.nn.io.SafeTensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The in-memory safetensors encoder against the library's file reader and writer. */
class SafeTensorBytesTest {
    @TempDir
    Path dir;

    private static Map<String, Tensor> sample() {
        float nanWithPayload = Float.intBitsToFloat(0x7fc01234);
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("w", Tensor.of(new float[] {1.5f, -0.0f, nanWithPayload, Float.MIN_VALUE, Float.NEGATIVE_INFINITY, 3e38f}, 2, 3));
        t.put("labels \"quoted\" é", Tensor.ofInts(new int[] {Integer.MIN_VALUE, -1, 0, 7}, 4));
        t.put("scalar", Tensor.scalar(2.25f));
        t.put("view", Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).t());
        return t;
    }

    @Test
    void encodedBytesAreAFileTheLibraryReadsBitForBit() throws IOException {
        Map<String, Tensor> in = sample();
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("note", "line\nbreak \\ and \"quotes\"\u0001");
        meta.put("round", "3");
        byte[] bytes = SafeTensorBytes.encode(in, meta);
        Path file = dir.resolve("a.safetensors");
        Files.write(file, bytes);
        SafeTensors.Contents c = SafeTensors.read(file);
        assertEquals(List.copyOf(in.keySet()), List.copyOf(c.tensors().keySet()));
        assertEquals(meta, c.metadata());
        for (String k : in.keySet()) {
            Tensor a = in.get(k);
            Tensor b = c.tensors().get(k);
            assertArrayEquals(a.shape(), b.shape(), k);
            assertEquals(a.dtype(), b.dtype(), k);
            if (a.dtype() == DType.INT32) {
                assertArrayEquals(a.toIntArray(), b.toIntArray(), k);
            } else {
                assertArrayEquals(bits(a.toFloatArray()), bits(b.toFloatArray()), k);
            }
        }
        // The layout the format prescribes: 8-byte length, header padded with spaces to a multiple of 8.
        long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        assertEquals(0, n % 8);
        assertEquals(' ', (char) bytes[(int) (8 + n - 1)]);
        assertEquals(8 + n + (6 + 4 + 1 + 6) * 4, bytes.length);
    }

    @Test
    void decodeReadsWhatTheLibraryWrites() throws IOException {
        Map<String, Tensor> in = sample();
        Path file = dir.resolve("b.safetensors");
        SafeTensors.save(in, Map.of("k", "v"), file);
        SafeTensors.Contents c = SafeTensorBytes.decode(Files.readAllBytes(file));
        assertEquals(Map.of("k", "v"), c.metadata());
        assertArrayEquals(bits(in.get("w").toFloatArray()), bits(c.tensors().get("w").toFloatArray()));
        assertArrayEquals(in.get("view").toFloatArray(), c.tensors().get("view").toFloatArray());
        assertArrayEquals(new int[] {3, 2}, c.tensors().get("view").shape());
    }

    @Test
    void corruptBytesFailNamingTheFault() {
        byte[] bytes = SafeTensorBytes.encode(sample(), null);
        byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 4);
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> SafeTensorBytes.decode(truncated));
        assertTrue(e.getMessage().startsWith("SafeTensorBytes.decode: <" + truncated.length + " bytes in memory>: ")
                && e.getMessage().contains("data section"), e.getMessage());
        byte[] garbage = "not a safetensors file at all".getBytes(StandardCharsets.US_ASCII);
        assertThrows(UncheckedIOException.class, () -> SafeTensorBytes.decode(garbage));
    }

    @Test
    void badNamesAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SafeTensorBytes.encode(Map.of("__metadata__", Tensor.scalar(1)), null));
        assertTrue(e.getMessage().contains("__metadata__"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SafeTensorBytes.encode(Map.of("bad\ud800", Tensor.scalar(1)), null));
    }

    private static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = Float.floatToRawIntBits(v[i]);
        }
        return b;
    }
}
