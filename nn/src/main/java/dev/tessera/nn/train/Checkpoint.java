package dev.tessera.nn.train;

import dev.tessera.DType;
import dev.tessera.GradMode;
import dev.tessera.Tensor;
import dev.tessera.nn.io.SafeTensors;
import dev.tessera.nn.io.SafeTensorsException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A training checkpoint in one safetensors file: tensors under {@code model.} and {@code
 * optimizer.}, everything else (epoch, step, optimizer and scheduler scalars, callback state,
 * generator states, history) as string metadata. A new checkpoint is written in full (to {@code
 * checkpoint.next.safetensors}) before it replaces the latest one, which becomes the previous one:
 * a run killed, or a disk that fills up, while writing keeps both earlier checkpoints; the previous
 * one is the fallback for a latest checkpoint that was damaged after it was written. A write
 * interrupted by a kill leaves a temporary file ({@code .checkpoint.next.safetensors.<hex>.tmp})
 * or an unused {@code checkpoint.next.safetensors}; {@link #removeLeftovers} deletes them when a
 * trainer next opens the directory.
 */
final class Checkpoint {
    private static final Logger LOG = LoggerFactory.getLogger(Checkpoint.class);
    static final String FILE_NAME = "checkpoint.safetensors";
    static final String PREVIOUS_FILE_NAME = "checkpoint.previous.safetensors";
    /** Where a new checkpoint is written before it replaces the latest one. */
    static final String NEXT_FILE_NAME = "checkpoint.next.safetensors";
    private static final String FORMAT = "tessera-checkpoint-1";
    /**
     * What an interrupted write leaves: the temporary files SafeTensors.save writes before renaming
     * them into place (next to {@link #NEXT_FILE_NAME}, or {@link #FILE_NAME} for checkpoints of
     * earlier versions), and a {@link #NEXT_FILE_NAME} that never replaced the latest checkpoint.
     */
    private static final Pattern LEFTOVER =
            Pattern.compile("\\.checkpoint(\\.next)?\\.safetensors\\.[0-9a-f]{1,16}\\.tmp|checkpoint\\.next\\.safetensors");
    /** Entries that hold whole numbers (all others but {@code format} hold numbers of any kind). */
    private static final List<String> WHOLE = List.of("epoch", "batch", "globalStep", "lossCount");

    final Map<String, Tensor> tensors;
    final Map<String, String> metadata;
    /** The file this checkpoint was read from; null for one being assembled. */
    final Path source;

    Checkpoint() {
        this(new LinkedHashMap<>(), new LinkedHashMap<>(), null);
    }

    private Checkpoint(Map<String, Tensor> tensors, Map<String, String> metadata, Path source) {
        this.tensors = tensors;
        this.metadata = metadata;
        this.source = source;
    }

    static Path file(Path dir) {
        return dir.resolve(FILE_NAME);
    }

    /** Adds tensors under {@code prefix + "."}; modifies this checkpoint. */
    void putTensors(String prefix, Map<String, Tensor> values) {
        values.forEach((k, v) -> tensors.put(prefix + "." + k, v));
    }

    /** Returns the tensors stored under {@code prefix + "."}, prefix removed. */
    Map<String, Tensor> tensors(String prefix) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        String p = prefix + ".";
        tensors.forEach((k, v) -> {
            if (k.startsWith(p)) {
                out.put(k.substring(p.length()), v);
            }
        });
        return out;
    }

    /** Adds numbers under {@code prefix + "."}, written so that they read back exactly; modifies this checkpoint. */
    void putNumbers(String prefix, Map<String, Double> values) {
        values.forEach((k, v) -> metadata.put(prefix + "." + k, Double.toString(v)));
    }

    /** Returns the numbers stored under {@code prefix + "."}, prefix removed. */
    Map<String, Double> numbers(String prefix) {
        Map<String, Double> out = new LinkedHashMap<>();
        String p = prefix + ".";
        metadata.forEach((k, v) -> {
            if (k.startsWith(p)) {
                out.put(k.substring(p.length()), Double.parseDouble(v));
            }
        });
        return out;
    }

    void put(String key, long value) {
        metadata.put(key, Long.toString(value));
    }

    void put(String key, double value) {
        metadata.put(key, Double.toString(value));
    }

    /** Returns the whole number under {@code key} (checked when the file was read). */
    long getLong(String key) {
        String v = metadata.get(key);
        if (v == null) {
            throw new IllegalStateException("checkpoint " + source + ": missing entry '" + key + "'");
        }
        return Long.parseLong(v);
    }

    /** Returns the number under {@code key} (checked when the file was read). */
    double getDouble(String key) {
        String v = metadata.get(key);
        if (v == null) {
            throw new IllegalStateException("checkpoint " + source + ": missing entry '" + key + "'");
        }
        return Double.parseDouble(v);
    }

    /** Returns the whole number under {@code key}, or {@code otherwise} if there is none. */
    long getLong(String key, long otherwise) {
        return metadata.containsKey(key) ? getLong(key) : otherwise;
    }

    /**
     * Returns the name of the first FLOAT32 tensor that holds a NaN or an infinity, or null if
     * every one is finite. Reads back one number for all tensors together (x * 0 is 0 for every
     * finite x and NaN otherwise); only when that is not finite are the tensors read one by one.
     */
    String firstNonFinite() {
        List<Map.Entry<String, Tensor>> floats = new ArrayList<>();
        tensors.entrySet().stream().filter(e -> e.getValue().dtype() == DType.FLOAT32).forEach(floats::add);
        try (GradMode ignored = Tensor.noGrad()) {
            Tensor total = null;
            for (Map.Entry<String, Tensor> e : floats) {
                Tensor zero = e.getValue().mul(0f).sum();
                total = total == null ? zero : total.add(zero);
            }
            if (total == null || Float.isFinite(total.item())) {
                return null;
            }
            for (Map.Entry<String, Tensor> e : floats) {
                if (!Float.isFinite(e.getValue().mul(0f).sum().item())) {
                    return e.getKey();
                }
            }
        }
        return null;
    }

    /**
     * Checks, without creating anything, that {@code dir} is a directory checkpoints can be written
     * to, or one that can be created.
     *
     * @throws IllegalArgumentException naming {@code dir} and the reason if it is not
     */
    static void checkDirectory(Path dir) {
        Path abs = dir.toAbsolutePath();
        if (Files.exists(abs)) {
            if (!Files.isDirectory(abs)) {
                throw new IllegalArgumentException("Trainer: the checkpoint directory " + dir
                        + " is an existing file, not a directory");
            }
            if (!Files.isWritable(abs)) {
                throw new IllegalArgumentException("Trainer: the checkpoint directory " + dir + " is not writable");
            }
            return;
        }
        Path ancestor = abs.getParent();
        while (ancestor != null && !Files.exists(ancestor)) {
            ancestor = ancestor.getParent();
        }
        if (ancestor != null && !Files.isDirectory(ancestor)) {
            throw new IllegalArgumentException("Trainer: the checkpoint directory " + dir + " cannot be created: "
                    + ancestor + " is a file, not a directory");
        }
        if (ancestor != null && !Files.isWritable(ancestor)) {
            throw new IllegalArgumentException("Trainer: the checkpoint directory " + dir + " cannot be created: "
                    + ancestor + " is not writable");
        }
    }

    /**
     * Deletes the temporary files that interrupted checkpoint writes left in {@code dir} (nothing
     * else) and logs what it deleted; returns how many. Does nothing if {@code dir} does not exist.
     */
    static int removeLeftovers(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int removed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                if (LEFTOVER.matcher(f.getFileName().toString()).matches() && Files.isRegularFile(f)
                        && Files.deleteIfExists(f)) {
                    LOG.info("Removed {}, left by a checkpoint write that was interrupted", f);
                    removed++;
                }
            }
        }
        return removed;
    }

    /**
     * Deletes the checkpoints in {@code dir} and the leftovers of interrupted writes, then {@code
     * dir} itself if nothing else is in it; returns whether {@code dir} is gone.
     */
    static boolean delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return true;
        }
        removeLeftovers(dir);
        Files.deleteIfExists(dir.resolve(FILE_NAME));
        Files.deleteIfExists(dir.resolve(PREVIOUS_FILE_NAME));
        try (DirectoryStream<Path> rest = Files.newDirectoryStream(dir)) {
            if (rest.iterator().hasNext()) {
                LOG.info("Kept the checkpoint directory {}: it holds other files", dir);
                return false;
            }
        }
        Files.delete(dir);
        return true;
    }

    /**
     * Writes {@code dir/checkpoint.safetensors}, creating {@code dir} if needed; the checkpoint it
     * replaces becomes {@code checkpoint.previous.safetensors}. The new file is complete before
     * either is touched, and each replacement is an atomic rename: if the write fails, both earlier
     * checkpoints are as they were.
     */
    void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        metadata.put("format", FORMAT);
        Path next = dir.resolve(NEXT_FILE_NAME);
        SafeTensors.save(tensors, metadata, next);
        Path file = file(dir);
        if (Files.exists(file)) {
            Files.move(file, dir.resolve(PREVIOUS_FILE_NAME), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Reads the latest checkpoint in {@code dir}; if it is unreadable, warns and reads the previous
     * one. Returns null if there is none.
     *
     * @throws IOException if every checkpoint present is unreadable
     */
    static Checkpoint read(Path dir) throws IOException {
        Path latest = file(dir);
        Path previous = dir.resolve(PREVIOUS_FILE_NAME);
        if (Files.exists(latest)) {
            try {
                return readFile(latest);
            } catch (IOException | RuntimeException e) {
                if (!Files.exists(previous)) {
                    throw e instanceof IOException io ? io : new IOException(latest + ": " + e.getMessage(), e);
                }
                LOG.warn("Checkpoint {} is unreadable ({}); falling back to the previous one, {}", latest, e.getMessage(), previous);
            }
        }
        return Files.exists(previous) ? readFile(previous) : null;
    }

    private static Checkpoint readFile(Path file) throws IOException {
        SafeTensors.Contents c = SafeTensors.read(file);
        if (!FORMAT.equals(c.metadata().get("format"))) {
            throw new SafeTensorsException(file, "not a Tessera training checkpoint (format '" + c.metadata().get("format") + "')");
        }
        checkMetadata(file, c.metadata());
        return new Checkpoint(new LinkedHashMap<>(c.tensors()), new LinkedHashMap<>(c.metadata()), file);
    }

    /** Checks that every entry but {@code format} is a number, and the counters whole numbers >= 0. */
    private static void checkMetadata(Path file, Map<String, String> metadata) throws IOException {
        for (String key : WHOLE) {
            if (!metadata.containsKey(key)) {
                throw new SafeTensorsException(file, "not a complete training checkpoint: entry '" + key + "' is missing");
            }
        }
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            String key = e.getKey();
            String value = e.getValue();
            boolean whole = WHOLE.contains(key) || key.startsWith("rng.") || key.equals("skipped");
            try {
                if (whole) {
                    long v = Long.parseLong(value);
                    if (v < 0 && !key.startsWith("rng.") || v > Integer.MAX_VALUE && (key.equals("epoch") || key.equals("batch"))) {
                        throw new NumberFormatException();
                    }
                } else if (!key.equals("format")) {
                    Double.parseDouble(value);
                }
            } catch (NumberFormatException bad) {
                throw new SafeTensorsException(file, "entry '" + key + "' is \"" + value + "\", not "
                        + (whole ? key.startsWith("rng.") ? "a whole number" : "a whole number >= 0" : "a number"));
            }
        }
    }
}
