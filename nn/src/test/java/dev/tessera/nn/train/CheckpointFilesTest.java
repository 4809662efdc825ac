package dev.tessera.nn.train;

import static dev.tessera.nn.train.TrainingData.assertSameWeights;
import static dev.tessera.nn.train.TrainingData.digits;
import static dev.tessera.nn.train.TrainingData.tanhMlp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tessera.Generator;
import dev.tessera.Tensor;
import dev.tessera.nn.F;
import dev.tessera.nn.Linear;
import dev.tessera.nn.Module;
import dev.tessera.nn.Sequential;
import dev.tessera.nn.Tanh;
import dev.tessera.nn.data.DataLoader;
import dev.tessera.nn.data.TensorDataset;
import dev.tessera.nn.io.SafeTensors;
import dev.tessera.nn.optim.Adam;
import dev.tessera.nn.optim.Optimizer;
import dev.tessera.nn.optim.SGD;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The checkpoint directory and files: leftovers of a kill, early checks, errors that name the file, atomic restore. */
class CheckpointFilesTest {
    private static final TensorDataset DATA = digits(96);
    private static final String LEFTOVER = ".checkpoint.next.safetensors.3f2a9c01d4e5b6a7.tmp";

    private static Trainer trainer(Module model, Optimizer opt, Path dir, int epochs) {
        return Trainer.builder(model, opt, F::crossEntropy).epochs(epochs).checkpointDir(dir).progress(false).build();
    }

    private static History fit(Trainer trainer) {
        return trainer.fit(new DataLoader(DATA, 32, true, 3), null);
    }

    /** Writes one epoch's checkpoint of a tanh MLP trained with Adam into {@code dir}. */
    private static void checkpointOneEpoch(Path dir) {
        Sequential model = tanhMlp(1);
        fit(trainer(model, new Adam(model.parameters(), 1e-2f), dir, 1));
    }

    @ParameterizedTest(name = "with a checkpoint to resume from: {0}")
    @ValueSource(booleans = {false, true})
    void leftoversOfAnInterruptedWriteAreRemovedOnTheNextStart(boolean resume, @TempDir Path dir) throws Exception {
        if (resume) {
            checkpointOneEpoch(dir);
        }
        Files.write(dir.resolve(LEFTOVER), new byte[1000]); // as a kill during SafeTensors.save leaves it
        Files.writeString(dir.resolve("notes.txt"), "not ours");
        Sequential model = tanhMlp(1);
        History h = fit(trainer(model, new Adam(model.parameters(), 1e-2f), dir, 2));

        assertEquals(2, h.size());
        assertFalse(Files.exists(dir.resolve(LEFTOVER)), "the leftover is removed");
        assertTrue(Files.exists(dir.resolve("notes.txt")), "other files are left alone");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {".checkpoint.safetensors.0badc0ffee.tmp", "checkpoint.next.safetensors"})
    void otherLeftoversAreRemovedToo(String name, @TempDir Path dir) throws Exception {
        checkpointOneEpoch(dir);
        Files.write(dir.resolve(name), new byte[100]);
        Sequential model = tanhMlp(1);
        fit(trainer(model, new Adam(model.parameters(), 1e-2f), dir, 2));
        assertFalse(Files.exists(dir.resolve(name)));
    }

    @Test
    void aFailedWriteKeepsBothEarlierCheckpoints(@TempDir Path dir) throws Exception {
        Sequential model = tanhMlp(1);
        Trainer twoEpochs = trainer(model, new Adam(model.parameters(), 1e-2f), dir, 2);
        fit(twoEpochs);
        byte[] latest = Files.readAllBytes(dir.resolve(Checkpoint.FILE_NAME));
        byte[] previous = Files.readAllBytes(dir.resolve(Checkpoint.PREVIOUS_FILE_NAME));
        // A directory where the new file must go: the write fails, as on a full disk, after the
        // trainer has already started to write.
        Checkpoint c = Checkpoint.read(dir);
        Files.createDirectory(dir.resolve(Checkpoint.NEXT_FILE_NAME));
        Files.writeString(dir.resolve(Checkpoint.NEXT_FILE_NAME).resolve("blocker"), "x");
        assertThrows(java.io.IOException.class, () -> c.write(dir));
        assertTrue(java.util.Arrays.equals(latest, Files.readAllBytes(dir.resolve(Checkpoint.FILE_NAME))));
        assertTrue(java.util.Arrays.equals(previous, Files.readAllBytes(dir.resolve(Checkpoint.PREVIOUS_FILE_NAME))));
    }

    @Test
    void deleteCheckpointsRemovesCheckpointsAndLeftoversAndKeepsOtherFiles(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("checkpoints");
        Sequential model = tanhMlp(1);
        Trainer trainer = trainer(model, new Adam(model.parameters(), 1e-2f), dir, 2);
        fit(trainer);
        Files.write(dir.resolve(LEFTOVER), new byte[10]);
        Files.writeString(dir.resolve("notes.txt"), "not ours");

        assertFalse(trainer.deleteCheckpoints(), "a directory with other files is kept");
        try (var left = Files.list(dir)) {
            assertEquals(java.util.List.of(dir.resolve("notes.txt")), left.toList());
        }
        Files.delete(dir.resolve("notes.txt"));
        Files.write(dir.resolve(LEFTOVER), new byte[10]);
        assertTrue(trainer.deleteCheckpoints());
        assertFalse(Files.exists(dir));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"a-file", "a-file/checkpoints"})
    void aCheckpointDirectoryThatCannotBeUsedFailsAtBuild(String where, @TempDir Path tmp) throws Exception {
        Files.writeString(tmp.resolve("a-file"), "x");
        Path dir = tmp.resolve(where);
        Sequential model = tanhMlp(1);
        Trainer.Builder builder = Trainer.builder(model, new Adam(model.parameters(), 1e-2f), F::crossEntropy).checkpointDir(dir);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, builder::build);
        assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains(tmp.resolve("a-file") + " is")
                && e.getMessage().contains("file, not a directory"), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"read-only", "read-only/checkpoints"})
    void aCheckpointDirectoryThatCannotBeWrittenFailsAtBuild(String where, @TempDir Path tmp) throws Exception {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "POSIX permissions");
        Path readOnly = Files.createDirectory(tmp.resolve("read-only"));
        Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            assumeTrue(!Files.isWritable(readOnly), "the user may write anywhere (root)");
            Path dir = tmp.resolve(where);
            Sequential model = tanhMlp(1);
            Trainer.Builder builder = Trainer.builder(model, new Adam(model.parameters(), 1e-2f), F::crossEntropy)
                    .checkpointDir(dir);

            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, builder::build);
            assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains("not writable"), e.getMessage());
        } finally {
            Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void aCheckpointOfAnotherArchitectureNamesTheFileAndChangesNothing(@TempDir Path dir) {
        checkpointOneEpoch(dir);
        Generator g = new Generator(5);
        Sequential other = new Sequential(new Linear(64, 16, true, g), new Tanh(), new Linear(16, 10, true, g));
        Map<String, Tensor> before = copy(other);
        Trainer trainer = trainer(other, new Adam(other.parameters(), 1e-2f), dir, 2);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> fit(trainer));
        assertTrue(e.getMessage().contains(dir.resolve(Checkpoint.FILE_NAME).toString())
                && e.getMessage().contains("0.weight: checkpoint shape [32, 64], model shape [16, 64]"), e.getMessage());
        assertSameWeights(before, other.stateDict());
    }

    @Test
    void anSgdCheckpointResumedWithAdamFailsBeforeTouchingTheModel(@TempDir Path dir) {
        Sequential sgdModel = tanhMlp(1);
        fit(trainer(sgdModel, new SGD(sgdModel.parameters(), 0.1f, 0.9f), dir, 1));
        Sequential model = tanhMlp(2);
        Map<String, Tensor> before = copy(model);
        Trainer trainer = trainer(model, new Adam(model.parameters(), 1e-2f), dir, 2);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> fit(trainer));
        assertSameWeights(before, model.stateDict());
        assertTrue(e.getMessage().contains(dir.resolve(Checkpoint.FILE_NAME).toString())
                && e.getMessage().contains("optimizer"), e.getMessage());
    }

    @ParameterizedTest(name = "{0} = \"{1}\"")
    @CsvSource({"epoch, abc", "batch, -1", "globalStep, 1.5", "lossSum, x", "history.0.loss, oops"})
    void aMalformedEntryNamesTheKeyTheValueAndTheFile(String key, String value, @TempDir Path dir) throws Exception {
        checkpointOneEpoch(dir);
        Path file = dir.resolve(Checkpoint.FILE_NAME);
        SafeTensors.Contents c = SafeTensors.read(file);
        Map<String, String> metadata = new LinkedHashMap<>(c.metadata());
        metadata.put(key, value);
        SafeTensors.save(c.tensors(), metadata, file);
        Sequential model = tanhMlp(1);
        Trainer trainer = trainer(model, new Adam(model.parameters(), 1e-2f), dir, 2);

        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> fit(trainer));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("'" + key + "'")
                && e.getMessage().contains("\"" + value + "\""), e.getMessage());
    }

    @Test
    void historyCsvGetsThePermissionsOfOtherOutputs(@TempDir Path dir) throws Exception {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "POSIX permissions");
        Path other = dir.resolve("model.safetensors");
        SafeTensors.save(Map.of("w", Tensor.ones(2)), other);
        Path csv = dir.resolve("history.csv");
        History h = new History();
        h.add(Map.of("loss", 1.0));
        h.writeCsv(csv);

        String expected = PosixFilePermissions.toString(Files.getPosixFilePermissions(other));
        assumeTrue(!expected.equals("rw-------"), "a umask that leaves new files to their owner shows nothing");
        assertEquals(expected, PosixFilePermissions.toString(Files.getPosixFilePermissions(csv)));
        try (var files = Files.list(dir)) {
            assertEquals(2, files.count(), "no temporary file is left");
        }
    }

    private static Map<String, Tensor> copy(Module m) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        m.stateDict().forEach((k, v) -> out.put(k, Tensor.of(v.toFloatArray(), v.shape())));
        return out;
    }
}
