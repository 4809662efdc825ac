package dev.tessera.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** IDX and CSV readers: valid files raw and gzipped, and every malformed case with a clear message. */
class ReadersTest {
    @TempDir
    Path dir;

    private static byte[] idx(int type, int[] shape, byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt((type << 8) | shape.length);
        for (int s : shape) {
            out.writeInt(s);
        }
        out.write(data);
        return bytes.toByteArray();
    }

    private Path write(String name, byte[] content, boolean gzip) throws IOException {
        Path p = dir.resolve(name);
        try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(p)) : Files.newOutputStream(p)) {
            out.write(content);
        }
        return p;
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void idxImagesAndLabelsRoundTrip(boolean gzip) throws IOException {
        byte[] pixels = {0, 1, 2, (byte) 255, 10, 20, 30, (byte) 128, 7, 8, 9, 10};
        Tensor images = Idx.readFloat(write("img", idx(8, new int[] {3, 2, 2}, pixels), gzip));
        assertArrayEquals(new int[] {3, 2, 2}, images.shape());
        assertArrayEquals(new float[] {0, 1, 2, 255, 10, 20, 30, 128, 7, 8, 9, 10}, images.toFloatArray());
        Tensor labels = Idx.readLabels(write("lbl", idx(8, new int[] {3}, new byte[] {9, 0, 4}), gzip));
        assertArrayEquals(new int[] {9, 0, 4}, labels.toIntArray());
    }

    @Test
    void malformedIdxFilesAreRejectedWithTheirName() throws IOException {
        Path truncated = write("truncated", idx(8, new int[] {2, 3}, new byte[] {1, 2, 3}), false);
        IOException e = assertThrows(IOException.class, () -> Idx.readFloat(truncated));
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains(truncated.toString()), e.getMessage());

        Path huge = write("huge", idx(8, new int[] {100000, 100000, 100000}, new byte[0]), false);
        e = assertThrows(IOException.class, () -> Idx.readFloat(huge));
        assertTrue(e.getMessage().contains(huge.toString()), e.getMessage());

        Path wrongType = write("float", idx(0x0D, new int[] {1}, new byte[4]), false);
        e = assertThrows(IOException.class, () -> Idx.readFloat(wrongType));
        assertTrue(e.getMessage().contains("type"), e.getMessage());

        Path notIdx = write("text", "hello world".getBytes(StandardCharsets.UTF_8), false);
        e = assertThrows(IOException.class, () -> Idx.readFloat(notIdx));
        assertTrue(e.getMessage().contains("not an IDX file"), e.getMessage());

        e = assertThrows(IOException.class, () -> Idx.readFloat(dir.resolve("absent")));
        assertTrue(e.getMessage().contains("not found"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void csvWithHeaderAndLabels(boolean gzip) throws IOException {
        Path p = write("t.csv", "2,2,a,b\n1.5,2,0\n-3,4e1,1\n".getBytes(StandardCharsets.UTF_8), gzip);
        Csv.Table t = Csv.read(p, true);
        assertEquals(java.util.List.of("2", "2", "a", "b"), t.header());
        TensorDataset d = Datasets.fromTable(t, java.util.List.of("a", "b"));
        assertArrayEquals(new float[] {1.5f, 2, -3, 40}, d.features().toFloatArray());
        assertArrayEquals(new int[] {0, 1}, d.labels());
    }

    @Test
    void malformedCsvNamesFileLineAndColumn() throws IOException {
        Path ragged = write("ragged.csv", "1,2,3\n4,5\n".getBytes(StandardCharsets.UTF_8), false);
        IOException e = assertThrows(IOException.class, () -> Csv.read(ragged, false));
        assertTrue(e.getMessage().contains("ragged.csv") && e.getMessage().contains("line 2"), e.getMessage());
        Path text = write("text.csv", "1,x,3\n".getBytes(StandardCharsets.UTF_8), false);
        e = assertThrows(IOException.class, () -> Csv.read(text, false));
        assertTrue(e.getMessage().contains("line 1, column 2") && e.getMessage().contains("'x'"), e.getMessage());
    }
}
