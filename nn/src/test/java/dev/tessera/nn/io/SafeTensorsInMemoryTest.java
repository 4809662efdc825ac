package dev.tessera.nn.io;

import static dev.tessera.nn.io.StFiles.concat;
import static dev.tessera.nn.io.StFiles.f32;
import static dev.tessera.nn.io.StFiles.u16;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tessera.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link SafeTensors#read(byte[])} against the file reader, the oracle (itself checked against
 * reference layouts in {@link SafeTensorsGoldenTest}): the same tensors bit for bit, the same
 * metadata, and for corrupt bytes the same fault, named after {@code <N bytes in memory>}.
 */
class SafeTensorsInMemoryTest {
    @TempDir
    Path dir;

    static Stream<Arguments> layouts() {
        return Stream.of(
                Arguments.of("f32 with metadata", StFiles.file("{\"__metadata__\":{\"format\":\"pt\"},"
                        + "\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}", f32(1f, -2f, 3.5f, Float.NaN))),
                Arguments.of("f32, bf16, f16", StFiles.file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                        + "\"b\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[4,10]},"
                        + "\"h\":{\"dtype\":\"F16\",\"shape\":[1,3],\"data_offsets\":[10,16]}}",
                        concat(f32(0.25f), u16(0x3F80, 0xC020, 0x7FC0), u16(0x3C00, 0x0001, 0xFC00)))),
                Arguments.of("integers and f64", StFiles.file("{\"d\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]},"
                        + "\"l\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[16,32]},"
                        + "\"i\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[32,36]},"
                        + "\"m\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[36,39]}}",
                        concat(StFiles.f64(0.1, -1e300), StFiles.i64(-5, Integer.MAX_VALUE), StFiles.i32(7),
                                new byte[] {1, 0, 2}))),
                Arguments.of("scalar, empty, header order not data order", StFiles.file(
                        "{\"e\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[8,8]},"
                        + "\"s\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[4,8]},"
                        + "\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", f32(2.5f, -0f))),
                Arguments.of("integer out of range", StFiles.file(
                        "{\"ids\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]}}", StFiles.i64(1, 3_000_000_000L))),
                Arguments.of("unloadable dtype", StFiles.file(
                        "{\"q\":{\"dtype\":\"F8_E4M3\",\"shape\":[4],\"data_offsets\":[0,4]}}", new byte[] {1, 2, 3, 4})),
                Arguments.of("truncated", Arrays.copyOf(StFiles.file(
                        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", f32(1, 2)), 20)),
                Arguments.of("shorter than the prefix", new byte[] {1, 2, 3}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void bytesReadAsTheSameFileDoes(String what, byte[] bytes) throws IOException {
        assertSame(bytes, StFiles.write(dir, "layout.safetensors", bytes), what);
    }

    /** Random corruptions of a file: the bytes reader loads exactly what the file reader loads, or fails with its fault. */
    @Test
    void corruptBytesFailAsTheFileDoes() throws IOException {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("w", Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
        m.put("ids", Tensor.ofInts(new int[] {7, 8}, 2));
        m.put("s", Tensor.scalar(3f));
        Path good = dir.resolve("good.safetensors");
        SafeTensors.save(m, Map.of("format", "pt"), good);
        byte[] original = java.nio.file.Files.readAllBytes(good);
        SplittableRandom rnd = new SplittableRandom(99);
        int failures = 0;
        for (int trial = 0; trial < 600; trial++) {
            byte[] b = original.clone();
            if (trial % 2 == 0) {
                for (int k = 0; k < 1 + rnd.nextInt(3); k++) {
                    b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
                }
            } else {
                b = Arrays.copyOf(b, rnd.nextInt(b.length));
            }
            failures += assertSame(b, StFiles.write(dir, "fuzz.safetensors", b), "trial " + trial) ? 0 : 1;
        }
        assertTrue(failures > 300, "most corruptions must be detected, got " + failures);
    }

    /** Asserts both readers agree on {@code bytes}, written to {@code file}; returns true if they loaded it. */
    private static boolean assertSame(byte[] bytes, Path file, String what) {
        SafeTensors.Contents expected = null;
        String fault = null;
        try {
            expected = SafeTensors.read(file);
        } catch (IOException e) {
            assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
            fault = e.getMessage().substring(file.toString().length());
        }
        SafeTensors.Contents actual;
        try {
            actual = SafeTensors.read(bytes);
        } catch (SafeTensorsException e) {
            String prefix = "<" + bytes.length + " bytes in memory>";
            assertTrue(e.getMessage().startsWith(prefix + ": "), what + ": " + e.getMessage());
            assertEquals(fault, e.getMessage().substring(prefix.length()), what);
            return false;
        } catch (IOException | RuntimeException e) {
            fail(what + ": threw " + e, e);
            return false;
        }
        assertEquals(null, fault, what + ": the file reader failed but the bytes loaded");
        assertEquals(expected.metadata(), actual.metadata(), what);
        assertEquals(List.copyOf(expected.tensors().keySet()), List.copyOf(actual.tensors().keySet()), what);
        for (String k : expected.tensors().keySet()) {
            Tensor e = expected.tensors().get(k);
            Tensor a = actual.tensors().get(k);
            assertEquals(e.dtype(), a.dtype(), what + " " + k);
            assertArrayEquals(e.shape(), a.shape(), what + " " + k);
            if (e.dtype() == dev.tessera.DType.INT32) {
                assertArrayEquals(e.toIntArray(), a.toIntArray(), what + " " + k);
            } else {
                float[] x = e.toFloatArray();
                float[] y = a.toFloatArray();
                for (int i = 0; i < x.length; i++) {
                    assertEquals(Float.floatToRawIntBits(x[i]), Float.floatToRawIntBits(y[i]), what + " " + k + "[" + i + "]");
                }
            }
        }
        return true;
    }
}
