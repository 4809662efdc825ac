package dev.tessera.nn.train;

import dev.tessera.Tensor;
import dev.tessera.nn.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A training checkpoint in one safetensors file: tensors under {@code model.} and {@code
 * optimizer.}, everything else (epoch, step, optimizer and scheduler scalars, callback state,
 * generator states, history) as string metadata. The file is replaced atomically, so a run killed
 * while writing keeps the previous checkpoint; the one before it is kept too, as a fallback for a
 * latest checkpoint that was damaged after it was written.
 */
final class Checkpoint {
    private static final Logger LOG = LoggerFactory.getLogger(Checkpoint.class);
    static final String FILE_NAME = "checkpoint.safetensors";
    static final String PREVIOUS_FILE_NAME = "checkpoint.previous.safetensors";
    private static final String FORMAT = "tessera-checkpoint-1";

    final Map<String, Tensor> tensors;
    final Map<String, String> metadata;

    Checkpoint() {
        this(new LinkedHashMap<>(), new LinkedHashMap<>());
    }

    private Checkpoint(Map<String, Tensor> tensors, Map<String, String> metadata) {
        this.tensors = tensors;
        this.metadata = metadata;
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

    long getLong(String key) {
        String v = metadata.get(key);
        if (v == null) {
            throw new IllegalStateException("checkpoint: missing entry '" + key + "'");
        }
        return Long.parseLong(v);
    }

    double getDouble(String key) {
        String v = metadata.get(key);
        if (v == null) {
            throw new IllegalStateException("checkpoint: missing entry '" + key + "'");
        }
        return Double.parseDouble(v);
    }

    /**
     * Writes to {@code dir/checkpoint.safetensors} atomically, creating {@code dir} if needed; the
     * checkpoint it replaces becomes {@code checkpoint.previous.safetensors}.
     */
    void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        metadata.put("format", FORMAT);
        Path file = file(dir);
        if (Files.exists(file)) {
            Files.move(file, dir.resolve(PREVIOUS_FILE_NAME), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        SafeTensors.save(tensors, metadata, file);
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
            throw new IOException(file + ": not a Tessera training checkpoint (format '" + c.metadata().get("format") + "')");
        }
        return new Checkpoint(new LinkedHashMap<>(c.tensors()), new LinkedHashMap<>(c.metadata()));
    }
}
