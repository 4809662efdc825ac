package dev.tessera.nn.io;

import static dev.tessera.nn.io.StFiles.concat;
import static dev.tessera.nn.io.StFiles.f32;
import static dev.tessera.nn.io.StFiles.u16;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.DType;
import dev.tessera.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files laid out byte by byte as the reference (Python/Rust) implementation writes them. */
class SafeTensorsGoldenTest {
    @TempDir
    Path dir;

    private static void assertBits(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]),
                    "element " + i + ": expected " + expected[i] + " got " + actual[i]);
        }
    }

    @Test
    void readsTheBriefsExampleFile() throws IOException {
        String json = "{\"__metadata__\":{\"format\":\"pt\"},\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}";
        byte[] bytes = StFiles.file(json, f32(1f, -2f, 3.5f, 0f));
        assertEquals(8 + 88 + 16, bytes.length, "88-byte JSON, already a multiple of 8: no padding");
        Path f = StFiles.write(dir, "example.safetensors", bytes);
        SafeTensors.Contents c = SafeTensors.read(f);
        assertEquals(Map.of("format", "pt"), c.metadata());
        Tensor a = c.tensors().get("a");
        assertEquals(DType.FLOAT32, a.dtype());
        assertArrayEquals(new int[] {2, 2}, a.shape());
        assertArrayEquals(new float[] {1f, -2f, 3.5f, 0f}, a.toFloatArray());
    }

    @Test
    void widensF16AndBf16Exactly() throws IOException {
        // reference order: dtype alignment descending (F32, BF16, F16), then name
        String json = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[8],\"data_offsets\":[4,20]},"
                + "\"h\":{\"dtype\":\"F16\",\"shape\":[2,5],\"data_offsets\":[20,40]}}";
        byte[] data = concat(f32(0.25f),
                u16(0x3F80, 0xC020, 0x477F, 0x7F7F, 0x0001, 0x7F80, 0xFF80, 0x7FC0),
                u16(0x3C00, 0xC100, 0x7BFF, 0x0001, 0x03FF, 0x8000, 0x7C00, 0xFC00, 0x7E00, 0x3555));
        Path f = StFiles.write(dir, "half.safetensors", StFiles.file(json, data));
        Map<String, Tensor> m = SafeTensors.load(f);
        assertEquals(List.of("w", "b", "h"), List.copyOf(m.keySet()));
        assertBits(new float[] {1f, -2.5f, 65280f, 3.3895314e38f, (float) Math.pow(2, -133),
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.intBitsToFloat(0x7FC00000)},
                m.get("b").toFloatArray());
        assertBits(new float[] {1f, -2.5f, 65504f, 5.9604645e-8f, 6.097555e-5f, -0f,
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.intBitsToFloat(0x7FC00000), 0.33325195f},
                m.get("h").toFloatArray());
        assertEquals((float) Math.pow(2, -24), m.get("h").toFloatArray()[3]);
        assertArrayEquals(new int[] {2, 5}, m.get("h").shape());
        assertEquals(DType.FLOAT32, m.get("h").dtype());
    }

    @Test
    void readsOtherDtypesAsFloat32OrInt32() throws IOException {
        String json = "{"
                + "\"d\":{\"dtype\":\"F64\",\"shape\":[3],\"data_offsets\":[0,24]},"
                + "\"l\":{\"dtype\":\"I64\",\"shape\":[3],\"data_offsets\":[24,48]},"
                + "\"ul\":{\"dtype\":\"U64\",\"shape\":[1],\"data_offsets\":[48,56]},"
                + "\"u\":{\"dtype\":\"U32\",\"shape\":[1],\"data_offsets\":[56,60]},"
                + "\"s\":{\"dtype\":\"I16\",\"shape\":[2],\"data_offsets\":[60,64]},"
                + "\"us\":{\"dtype\":\"U16\",\"shape\":[1],\"data_offsets\":[64,66]},"
                + "\"c\":{\"dtype\":\"I8\",\"shape\":[2],\"data_offsets\":[66,68]},"
                + "\"uc\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[68,70]},"
                + "\"mask\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[70,73]}}";
        byte[] data = concat(StFiles.f64(1.0, 0.1, 1e300),
                StFiles.i64(-5, Integer.MAX_VALUE, Integer.MIN_VALUE), StFiles.i64(123), StFiles.i32(2_000_000_000),
                u16(0x8000, 0x7FFF), u16(0xFFFF), new byte[] {-128, 127}, new byte[] {(byte) 255, 0},
                new byte[] {1, 0, 1});
        Map<String, Tensor> m = SafeTensors.load(StFiles.write(dir, "mixed.safetensors", StFiles.file(json, data)));
        assertBits(new float[] {1f, 0.1f, Float.POSITIVE_INFINITY}, m.get("d").toFloatArray());
        assertArrayEquals(new int[] {-5, Integer.MAX_VALUE, Integer.MIN_VALUE}, m.get("l").toIntArray());
        assertArrayEquals(new int[] {123}, m.get("ul").toIntArray());
        assertArrayEquals(new int[] {2_000_000_000}, m.get("u").toIntArray());
        assertArrayEquals(new int[] {-32768, 32767}, m.get("s").toIntArray());
        assertArrayEquals(new int[] {65535}, m.get("us").toIntArray());
        assertArrayEquals(new int[] {-128, 127}, m.get("c").toIntArray());
        assertArrayEquals(new int[] {255, 0}, m.get("uc").toIntArray());
        assertArrayEquals(new int[] {1, 0, 1}, m.get("mask").toIntArray());
        for (String k : List.of("l", "ul", "u", "s", "us", "c", "uc", "mask")) {
            assertEquals(DType.INT32, m.get(k).dtype(), k);
        }
        assertEquals(DType.FLOAT32, m.get("d").dtype());
    }

    @Test
    void integersOutsideTheIntRangeAreNamed() throws IOException {
        String[][] cases = {
            {"I64", "3000000000", "1"},
            {"U32", "4294967295", "1"},
            {"U64", "18446744073709551615", "1"},
        };
        byte[][] data = {StFiles.i64(1, 3_000_000_000L), StFiles.i32(1, -1), StFiles.i64(1, -1)};
        for (int i = 0; i < cases.length; i++) {
            int bytes = data[i].length;
            String json = "{\"token_ids\":{\"dtype\":\"" + cases[i][0] + "\",\"shape\":[2],\"data_offsets\":[0," + bytes + "]}}";
            Path f = StFiles.write(dir, "range" + i + ".safetensors", StFiles.file(json, data[i]));
            SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> SafeTensors.load(f));
            assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("'token_ids'"), e.getMessage());
            assertTrue(e.getMessage().contains(cases[i][1] + " at element " + cases[i][2]), e.getMessage());
        }
    }

    @Test
    void headerOrderNeedNotFollowDataOrder() throws IOException {
        String json = "{\n  \"b\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [8, 16]},\n"
                + "  \"a\": {\"data_offsets\": [0, 8], \"shape\": [2], \"dtype\": \"F32\", \"extra\": [1, {}]}\n}\n";
        Path f = StFiles.write(dir, "order.safetensors", StFiles.file(json, f32(1, 2, 3, 4)));
        Map<String, Tensor> m = SafeTensors.load(f);
        assertEquals(List.of("b", "a"), List.copyOf(m.keySet()));
        assertArrayEquals(new float[] {3, 4}, m.get("b").toFloatArray());
        assertArrayEquals(new float[] {1, 2}, m.get("a").toFloatArray());
    }

    @Test
    void scalarAndEmptyTensorsFromReferenceFiles() throws IOException {
        String json = "{\"s\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]},"
                + "\"e\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[4,4]},"
                + "\"i\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[4,12]}}";
        Path f = StFiles.write(dir, "scalar.safetensors", StFiles.file(json, concat(f32(2.5f), StFiles.i64(-3))));
        Map<String, Tensor> m = SafeTensors.load(f);
        assertEquals(0, m.get("s").dim());
        assertEquals(2.5f, m.get("s").item());
        assertArrayEquals(new int[] {0, 3}, m.get("e").shape());
        assertEquals(0, m.get("i").dim());
        assertArrayEquals(new int[] {-3}, m.get("i").toIntArray());
    }

    @Test
    void unsupportedButKnownDtypeFailsOnLoadButNotOnMetadata() throws IOException {
        String json = "{\"__metadata__\":{\"quant\":\"fp8\"},\"q\":{\"dtype\":\"F8_E4M3\",\"shape\":[4],\"data_offsets\":[0,4]}}";
        Path f = StFiles.write(dir, "fp8.safetensors", StFiles.file(json, new byte[] {1, 2, 3, 4}));
        assertEquals(Map.of("quant", "fp8"), SafeTensors.loadMetadata(f));
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> SafeTensors.load(f));
        assertTrue(e.getMessage().contains("tensor 'q' has dtype F8_E4M3, which Tessera cannot load"), e.getMessage());
    }
}
