package dev.tessera.nn.io;

import static dev.tessera.nn.io.StFiles.f32;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.Tensor;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every malformed file fails with a {@link SafeTensorsException} naming the file and the fault. */
class SafeTensorsMalformedTest {
    @TempDir
    Path dir;

    private static final String A_2X2 = "\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}";

    /** Loads {@code f}, expects failure, checks the message names the file and holds each fragment. */
    private static SafeTensorsException fails(Path f, String... fragments) {
        // A reader that allocated what a header claims would fail here with OutOfMemoryError instead.
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> SafeTensors.load(f));
        String msg = e.getMessage();
        assertTrue(msg.startsWith(f.toString() + ": "), "message should start with the file: " + msg);
        for (String frag : fragments) {
            assertTrue(msg.contains(frag), "message should contain '" + frag + "': " + msg);
        }
        assertEquals(f, e.file());
        return e;
    }

    private Path file(String name, String json, byte[] data) throws IOException {
        return StFiles.write(dir, name, StFiles.file(json, data));
    }

    @Test
    void missingFile() {
        fails(dir.resolve("nope.safetensors"), "does not exist");
    }

    @Test
    void directoryInsteadOfFile() {
        fails(dir, "is a directory");
    }

    @Test
    void fileShorterThanEightBytes() throws IOException {
        fails(StFiles.write(dir, "empty.safetensors", new byte[0]), "0 bytes", "shorter than the 8-byte");
        fails(StFiles.write(dir, "five.safetensors", new byte[5]), "5 bytes");
    }

    @Test
    void headerLengthLargerThanTheFile() throws IOException {
        byte[] good = StFiles.file("{" + A_2X2 + "}", f32(1, 2, 3, 4));
        Path f = StFiles.write(dir, "len.safetensors", StFiles.concat(StFiles.le64(5000), Arrays.copyOfRange(good, 8, good.length)));
        fails(f, "header length 5000 exceeds the", "truncated?");
    }

    @Test
    void headerLengthBeyondTheSanityCap() throws IOException {
        fails(StFiles.write(dir, "cap.safetensors", StFiles.concat(StFiles.le64(200_000_000), new byte[16])),
                "header length 200000000 exceeds the limit of 100000000 bytes");
        fails(StFiles.write(dir, "neg.safetensors", StFiles.concat(StFiles.le64(-8), new byte[16])),
                "header length 18446744073709551608");
    }

    @Test
    void truncatedBody() throws IOException {
        byte[] good = StFiles.file("{" + A_2X2 + "}", f32(1, 2, 3, 4));
        Path f = StFiles.write(dir, "trunc.safetensors", Arrays.copyOf(good, good.length - 6));
        fails(f, "tensor 'a' data_offsets [0, 16] exceed the data section of 10 bytes");
    }

    @Test
    void offsetsBeyondTheFile() throws IOException {
        fails(file("far.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4096,4104]}}", f32(1, 2)),
                "data_offsets [4096, 4104] exceed the data section of 8 bytes");
    }

    @Test
    void hugeShapeFailsFastWithoutAllocating() throws IOException {
        fails(file("huge1.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1000000000,1000],\"data_offsets\":[0,16]}}",
                f32(1, 2, 3, 4)), "tensor 'w'", "needs 4000000000000 bytes but data_offsets [0, 16] span 16");
        fails(file("huge2.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1000000000,1000],"
                + "\"data_offsets\":[0,4000000000000]}}", f32(1, 2, 3, 4)), "exceed the data section of 16 bytes");
        fails(file("huge3.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,16],"
                + "\"data_offsets\":[0,16]}}", f32(1, 2, 3, 4)), "larger than 2^63 bits");
        fails(file("huge4.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[99999999999999999999],"
                + "\"data_offsets\":[0,16]}}", f32(1, 2, 3, 4)), "\"shape\" must hold non-negative integers");
    }

    @Test
    void consistentButTooLargeForATesseraTensor() throws IOException {
        // a sparse 3 GB file: consistent with its header, but more elements than a Java array holds
        long n = 3_000_000_000L;
        Path f = file("sparse.safetensors", "{\"m\":{\"dtype\":\"U8\",\"shape\":[" + n + "],\"data_offsets\":[0," + n + "]}}",
                new byte[0]);
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(raf.length() + n);
        }
        fails(f, "tensor 'm'", "3000000000", "more than a Tessera tensor can hold");
        Files.delete(f);
    }

    @Test
    void notJson() throws IOException {
        fails(file("nj.safetensors", "{not json}", new byte[0]), "header is not valid JSON", "at character 1");
        fails(file("nj2.safetensors", "{\"a\":1,}", new byte[0]), "header is not valid JSON");
        fails(file("nj3.safetensors", "{" + A_2X2 + "} trailing", f32(1, 2, 3, 4)), "after the end of the JSON value");
        fails(file("nj4.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}", f32(1, 2, 3, 4)),
                "header is not valid JSON");
        fails(file("dup.safetensors", "{" + A_2X2 + "," + A_2X2 + "}", f32(1, 2, 3, 4)), "duplicate key \"a\"");
        fails(file("deep.safetensors", "{\"__metadata__\":" + "[".repeat(5000) + "]".repeat(5000) + "}", new byte[0]),
                "nesting deeper than");
    }

    @Test
    void headerMustBeAnObject() throws IOException {
        fails(file("arr.safetensors", "[1, 2]", new byte[0]), "does not start with '{'");
        fails(file("sp.safetensors", "   {}", new byte[0]), "does not start with '{'");
        fails(StFiles.write(dir, "zero.safetensors", StFiles.le64(0)), "an empty header");
    }

    @Test
    void headerMustBeUtf8() throws IOException {
        byte[] header = "{\"\u00e9\":1}   ".getBytes(StandardCharsets.ISO_8859_1);
        fails(StFiles.write(dir, "latin1.safetensors", StFiles.raw(header, new byte[0])), "not valid UTF-8");
    }

    @Test
    void wrongTypesInTheHeader() throws IOException {
        String[][] cases = {
            {"{\"a\":\"F32\"}", "tensor 'a' must be described by an object, got a string"},
            {"{\"a\":{\"dtype\":32,\"shape\":[1],\"data_offsets\":[0,4]}}", "\"dtype\" must be a string, got an integer"},
            {"{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", "\"dtype\" must be a string, got nothing (missing)"},
            {"{\"a\":{\"dtype\":\"F32\",\"shape\":\"1\",\"data_offsets\":[0,4]}}", "\"shape\" must be an array of integers"},
            {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1.0],\"data_offsets\":[0,4]}}", "element 0 is a non-integer number"},
            {"{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", "element 0 is -1"},
            {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", "\"data_offsets\" must have 2 elements, got 1"},
            {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[\"0\",\"4\"]}}", "element 0 is a string"},
            {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":null}}", "got null"},
            {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", "data_offsets [4, 0] end before they begin"},
            {"{\"__metadata__\":[],\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
                "\"__metadata__\" must be an object of strings, got an array"},
            {"{\"__metadata__\":{\"epoch\":3},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
                "\"__metadata__\" value of \"epoch\" must be a string, got an integer"},
        };
        for (int i = 0; i < cases.length; i++) {
            fails(file("types" + i + ".safetensors", cases[i][0], f32(1)), cases[i][1]);
        }
    }

    @Test
    void unknownDtype() throws IOException {
        fails(file("dt.safetensors", "{\"a\":{\"dtype\":\"Q4_K\",\"shape\":[1],\"data_offsets\":[0,4]}}", f32(1)),
                "tensor 'a' has unknown dtype \"Q4_K\"", "F32");
        fails(file("dt2.safetensors", "{\"a\":{\"dtype\":\"f32\",\"shape\":[1],\"data_offsets\":[0,4]}}", f32(1)),
                "unknown dtype \"f32\"");
    }

    @Test
    void overlappingOffsets() throws IOException {
        fails(file("ov.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", f32(1, 2, 3)),
                "tensors 'a' (data_offsets [0, 8]) and 'b' (data_offsets [4, 12]) overlap");
        fails(file("same.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", f32(1, 2)), "overlap");
    }

    @Test
    void gapsAndTrailingBytesInTheDataSection() throws IOException {
        fails(file("gap.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", f32(1, 2, 3)),
                "data section bytes [4, 8) belong to no tensor: a gap between 'a' and 'b'");
        fails(file("lead.safetensors", "{\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", f32(1, 2)),
                "bytes [0, 4) belong to no tensor: a gap before the first tensor 'b'");
        fails(file("tail.safetensors", "{" + A_2X2 + "}", f32(1, 2, 3, 4, 5)),
                "the data section is 20 bytes but the tensors cover only 16");
    }

    @Test
    void loadMetadataValidatesTheHeaderToo() throws IOException {
        Path f = file("meta.safetensors", "{\"__metadata__\":{\"k\":\"v\"}," + A_2X2 + "}", f32(1, 2, 3));
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> SafeTensors.loadMetadata(f));
        assertTrue(e.getMessage().contains("exceed the data section of 12 bytes"), e.getMessage());
    }

    @Test
    void savedFilesStillLoadAfterTheseChecks() throws IOException {
        Path f = dir.resolve("ok.safetensors");
        SafeTensors.save(Map.of("a", Tensor.ones(2, 2)), f);
        assertEquals(4, SafeTensors.load(f).get("a").numel());
    }
}
