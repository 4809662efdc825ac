package dev.tessera.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tessera.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsAtomicWriteTest {
    @TempDir
    Path dir;

    private List<String> filesIn(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    private Path existing() throws IOException {
        Path f = dir.resolve("model.safetensors");
        SafeTensors.save(Map.of("old", Tensor.of(new float[] {1, 2, 3}, 3)), f);
        return f;
    }

    private void assertUntouched(Path f, byte[] before) throws IOException {
        assertArrayEquals(before, Files.readAllBytes(f), "the previous file must be intact");
        assertEquals(List.of(f.getFileName().toString()), filesIn(f.getParent()), "no temporary files left");
    }

    @Test
    void savingOverAnExistingFileReplacesIt() throws IOException {
        Path f = existing();
        SafeTensors.save(Map.of("new", Tensor.ofInts(new int[] {4, 5}, 2)), f);
        Map<String, Tensor> back = SafeTensors.load(f);
        assertEquals(List.of("new"), List.copyOf(back.keySet()));
        assertArrayEquals(new int[] {4, 5}, back.get("new").toIntArray());
        assertEquals(List.of("model.safetensors"), filesIn(dir));
    }

    @Test
    void invalidArgumentsLeaveThePreviousFileIntact() throws IOException {
        Path f = existing();
        byte[] before = Files.readAllBytes(f);
        Map<String, Tensor> nullTensor = new HashMap<>();
        nullTensor.put("fc.weight", null);
        Map<String, Tensor> nullName = new HashMap<>();
        nullName.put(null, Tensor.ones(1));
        List<Map<String, Tensor>> bad = List.of(
                Map.of("", Tensor.ones(1)),
                nullName,
                nullTensor,
                Map.of("__metadata__", Tensor.ones(1)),
                Map.of("x".repeat(SafeTensors.MAX_NAME_LENGTH + 1), Tensor.ones(1)),
                Map.of("bad\uD800surrogate", Tensor.ones(1)));
        String[] expected = {"non-empty", "non-empty, got null", "tensor 'fc.weight' is null", "reserved",
            "characters long", "not valid Unicode"};
        for (int i = 0; i < bad.size(); i++) {
            Map<String, Tensor> m = new LinkedHashMap<>();
            m.put("fine", Tensor.ones(2));
            m.putAll(bad.get(i));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.save(m, f));
            assertTrue(e.getMessage().contains(expected[i]), e.getMessage());
            assertUntouched(f, before);
        }
        Map<String, String> badMeta = new HashMap<>();
        badMeta.put("k", null);
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.save(Map.of("a", Tensor.ones(1)), badMeta, f));
        assertUntouched(f, before);
    }

    @Test
    void missingDirectoryFailsNamingTheFile() throws IOException {
        Path f = dir.resolve("no/such/dir/model.safetensors");
        SafeTensorsException e = assertThrows(SafeTensorsException.class,
                () -> SafeTensors.save(Map.of("a", Tensor.ones(1)), f));
        assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        assertEquals(List.of(), filesIn(dir));
    }

    @Test
    void targetThatIsADirectoryIsRefused() throws IOException {
        Path d = Files.createDirectory(dir.resolve("model.safetensors"));
        SafeTensorsException e = assertThrows(SafeTensorsException.class,
                () -> SafeTensors.save(Map.of("a", Tensor.ones(1)), d));
        assertTrue(e.getMessage().contains("is a directory"), e.getMessage());
        assertEquals(List.of("model.safetensors"), filesIn(dir));
    }

    @Test
    void failureWhileWritingDataDeletesTheTemporaryFile() throws IOException {
        // an expanded view of 2e9 elements uses 4 bytes of storage but needs an 8 GB array to write:
        // the failure happens after the temporary file was created and the header written
        long needed = 2_000_000_000L * 4;
        assumeTrue(Runtime.getRuntime().maxMemory() < needed, "heap large enough to materialise the tensor");
        Path f = existing();
        byte[] before = Files.readAllBytes(f);
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("small", Tensor.ones(3));
        m.put("huge", Tensor.zeros(1).expand(2_000_000_000));
        assertThrows(OutOfMemoryError.class, () -> SafeTensors.save(m, f));
        assertUntouched(f, before);
    }

    @Test
    void savedFileGetsDefaultPermissionsNotTempFilePermissions() throws IOException {
        assumeTrue(Files.getFileAttributeView(dir, PosixFileAttributeView.class) != null);
        Path plain = Files.createFile(dir.resolve("plain"));
        Path f = dir.resolve("model.safetensors");
        SafeTensors.save(Map.of("a", Tensor.ones(1)), f);
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(f));
    }
}
