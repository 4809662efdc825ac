package dev.tessera.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.DType;
import dev.tessera.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsRoundTripTest {
    @TempDir
    Path dir;

    private static int[] bits(float[] v) {
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Float.floatToRawIntBits(v[i]);
        }
        return out;
    }

    private static void assertSameTensor(Tensor expected, Tensor actual) {
        assertEquals(expected.dtype(), actual.dtype());
        assertArrayEquals(expected.shape(), actual.shape());
        if (expected.dtype() == DType.FLOAT32) {
            assertArrayEquals(bits(expected.toFloatArray()), bits(actual.toFloatArray()));
        } else {
            assertArrayEquals(expected.toIntArray(), actual.toIntArray());
        }
    }

    private Map<String, Tensor> roundTrip(Map<String, Tensor> tensors) throws IOException {
        Path f = dir.resolve("m.safetensors");
        SafeTensors.save(tensors, f);
        Map<String, Tensor> back = SafeTensors.load(f);
        assertEquals(new ArrayList<>(tensors.keySet()), new ArrayList<>(back.keySet()), "names in insertion order");
        for (String name : tensors.keySet()) {
            assertSameTensor(tensors.get(name), back.get(name));
        }
        return back;
    }

    @Test
    void float32AndInt32RoundTripBitForBit() throws IOException {
        float[] special = {1f, -2.5f, 0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, 1e-40f, Float.MIN_NORMAL,
            Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN,
            Float.intBitsToFloat(0x7fc12345), Float.intBitsToFloat(0xffc00001), (float) Math.PI, 3e38f};
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("fc.weight", Tensor.of(special, 4, 4));
        m.put("labels", Tensor.ofInts(new int[] {0, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 7}, 5));
        m.put("b.bias", Tensor.of(new float[] {0.5f, -0.25f}, 2));
        Map<String, Tensor> back = roundTrip(m);
        assertEquals(DType.INT32, back.get("labels").dtype());
        assertEquals(-0f, back.get("fc.weight").toFloatArray()[3]);
    }

    @Test
    void scalarsKeepZeroDimensions() throws IOException {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("step", Tensor.scalar(42.5f));
        m.put("count", Tensor.ofInts(new int[] {9}, 1).reshape());
        Map<String, Tensor> back = roundTrip(m);
        assertEquals(0, back.get("step").dim());
        assertEquals(0, back.get("count").dim());
        assertEquals(42.5f, back.get("step").item());
        assertEquals(9, back.get("count").toIntArray()[0]);
    }

    @Test
    void emptyTensorsRoundTrip() throws IOException {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("a", Tensor.of(new float[] {1f}, 1));
        m.put("empty", Tensor.of(new float[0], 0));
        m.put("empty3d", Tensor.of(new float[0], 2, 0, 3));
        m.put("emptyInts", Tensor.ofInts(new int[0], 0, 4));
        m.put("z", Tensor.of(new float[] {2f}, 1));
        roundTrip(m);
    }

    @Test
    void nonContiguousViewsAreWrittenInRowMajorOrder() throws IOException {
        Tensor base = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor transposed = base.t();
        assertFalse(transposed.isContiguous());
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("t", transposed);
        m.put("stepped", Tensor.arange(10).slice(0, 1, 9, 3));
        m.put("expanded", Tensor.of(new float[] {7, 8}, 2, 1).expand(2, 3));
        m.put("permuted", Tensor.arange(24).reshape(2, 3, 4).permute(2, 0, 1));
        Map<String, Tensor> back = roundTrip(m);
        assertArrayEquals(new int[] {3, 2}, back.get("t").shape());
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, back.get("t").toFloatArray());
        assertArrayEquals(new float[] {1, 4, 7}, back.get("stepped").toFloatArray());
        assertArrayEquals(new float[] {7, 7, 7, 8, 8, 8}, back.get("expanded").toFloatArray());
        assertTrue(back.get("t").isContiguous());
    }

    @Test
    void metadataRoundTripsWithEscaping() throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("quote\"back\\slash", "line\nbreak\ttab\u0001ctl\u007f del");
        meta.put("unicode", "héllo ✓ 日本 \uD83D\uDE00");
        meta.put("empty", "");
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("wé\"ird\\name\n", Tensor.of(new float[] {1, 2}, 2));
        Path f = dir.resolve("meta.safetensors");
        SafeTensors.save(m, meta, f);
        SafeTensors.Contents c = SafeTensors.read(f);
        assertEquals(meta, c.metadata());
        assertEquals(new ArrayList<>(meta.keySet()), new ArrayList<>(c.metadata().keySet()));
        assertEquals(meta, SafeTensors.loadMetadata(f));
        assertArrayEquals(new float[] {1, 2}, c.tensors().get("wé\"ird\\name\n").toFloatArray());
    }

    @Test
    void noMetadataGivesAnEmptyMap() throws IOException {
        Path f = dir.resolve("plain.safetensors");
        SafeTensors.save(Map.of("x", Tensor.ones(3)), f);
        assertTrue(SafeTensors.loadMetadata(f).isEmpty());
        SafeTensors.save(Map.of("x", Tensor.ones(3)), Map.of(), f);
        assertFalse(new String(Files.readAllBytes(f), java.nio.charset.StandardCharsets.UTF_8).contains("__metadata__"));
    }

    @Test
    void manyTensorsKeepInsertionOrder() throws IOException {
        Map<String, Tensor> m = new LinkedHashMap<>();
        dev.tessera.Generator g = new dev.tessera.Generator(7);
        for (int i = 0; i < 300; i++) {
            String name = "layers." + (299 - i) + (i % 2 == 0 ? ".weight" : ".bias");
            m.put(name, i % 5 == 0 ? Tensor.ofInts(new int[] {i, -i, i * i}, 3) : Tensor.randn(g, 1 + i % 4, 1 + i % 3));
        }
        roundTrip(m);
    }

    @Test
    void emptyMapRoundTrips() throws IOException {
        Path f = dir.resolve("none.safetensors");
        SafeTensors.save(new LinkedHashMap<>(), Map.of("k", "v"), f);
        SafeTensors.Contents c = SafeTensors.read(f);
        assertTrue(c.tensors().isEmpty());
        assertEquals(Map.of("k", "v"), c.metadata());
    }

    @Test
    void largeTensorCrossesReadChunks() throws IOException {
        int n = SafeTensorsReader.CHUNK_BYTES / 4 * 2 + 13;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = i * 0.5f - 7;
        }
        roundTrip(Map.of("big", Tensor.of(v, n), "ints", Tensor.ofInts(new int[n / 3])));
    }

    @Test
    void writesExactlyTheReferenceBytes() throws IOException {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("a", Tensor.of(new float[] {1, 2, 3, 4}, 2, 2));
        m.put("b", Tensor.ofInts(new int[] {5, 6, 7}, 3));
        Path f = dir.resolve("ref.safetensors");
        SafeTensors.save(m, Map.of("format", "pt"), f);
        byte[] expected = StFiles.file("{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
                + "\"b\":{\"dtype\":\"I32\",\"shape\":[3],\"data_offsets\":[16,28]}}",
                StFiles.concat(StFiles.f32(1, 2, 3, 4), StFiles.i32(5, 6, 7)));
        assertArrayEquals(expected, Files.readAllBytes(f));
    }

    @Test
    void headerIsPaddedToAMultipleOfEight() throws IOException {
        for (int len = 1; len <= 9; len++) {
            Path f = dir.resolve("pad" + len + ".safetensors");
            SafeTensors.save(Map.of("x".repeat(len), Tensor.scalar(1f)), f);
            byte[] bytes = Files.readAllBytes(f);
            long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            assertEquals(0, n % 8, "header length " + n);
            assertEquals(8 + n + 4, bytes.length);
        }
    }

    @Test
    void tensorsOnAnyDeviceAreReadBackThroughToFloatArray() throws IOException {
        List<dev.tessera.Device> devices = new ArrayList<>();
        devices.add(dev.tessera.Device.cpu());
        devices.add(dev.tessera.Device.best());
        for (dev.tessera.Device d : devices) {
            Tensor t = Tensor.of(new float[] {1, -2, 3}, 3).to(d);
            Map<String, Tensor> back = roundTrip(Map.of("t", t));
            assertEquals(dev.tessera.Device.cpu(), back.get("t").device());
        }
    }
}
