package dev.tessera.spark;

import dev.tessera.Tensor;
import dev.tessera.nn.io.SafeTensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The state of data-parallel training after a round, in {@code <dir>/data-parallel.safetensors}:
 * the averaged model and optimizer state (laid out as {@link ReplicaState}), and in the metadata
 * the rounds done, every round's mean loss and the configuration's fingerprint. Saved atomically
 * after every round (a crash leaves the previous round's file), so a failed job resumes from the
 * last finished round.
 *
 * @param state       the averaged state
 * @param rounds      the rounds finished
 * @param losses      the mean training loss of every finished round
 * @param fingerprint the settings of the run that wrote it
 */
record DataParallelCheckpoint(ReplicaState state, int rounds, List<Double> losses, String fingerprint) {
    /** The file name inside the checkpoint directory. */
    static final String FILE = "data-parallel.safetensors";

    /**
     * Writes this checkpoint into {@code dir} (created if needed), replacing the previous one atomically.
     *
     * @throws UncheckedIOException naming the file if it cannot be written
     */
    void save(Path dir) {
        Path file = dir.resolve(FILE);
        try {
            Files.createDirectories(dir);
            Map<String, String> meta = new LinkedHashMap<>(state.metadata());
            meta.put("rounds", Integer.toString(rounds));
            StringBuilder sb = new StringBuilder();
            for (double l : losses) {
                sb.append(sb.length() == 0 ? "" : ",").append(l);
            }
            meta.put("losses", sb.toString());
            meta.put("config", fingerprint);
            SafeTensors.save(state.tensors(), meta, file);
        } catch (IOException e) {
            throw new UncheckedIOException("data-parallel: cannot write the checkpoint " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Returns the checkpoint in {@code dir}, or null if there is none.
     *
     * @throws UncheckedIOException     naming the file if it exists but cannot be read
     * @throws IllegalArgumentException naming the file if it lacks the metadata this class writes
     */
    static DataParallelCheckpoint load(Path dir) {
        Path file = dir.resolve(FILE);
        if (!Files.exists(file)) {
            return null;
        }
        SafeTensors.Contents c;
        try {
            c = SafeTensors.read(file);
        } catch (IOException e) {
            throw new UncheckedIOException("data-parallel: cannot read the checkpoint " + file + ": " + e.getMessage(), e);
        }
        Map<String, String> meta = c.metadata();
        if (!meta.containsKey("rounds") || !meta.containsKey("config") || !meta.containsKey("losses")) {
            throw new IllegalArgumentException("data-parallel: " + file + " is not a data-parallel checkpoint (its metadata"
                    + " has no rounds, losses or config: " + meta.keySet() + ")");
        }
        List<Double> losses = new ArrayList<>();
        for (String s : meta.get("losses").split(",")) {
            if (!s.isEmpty()) {
                losses.add(Double.parseDouble(s));
            }
        }
        Map<String, Tensor> tensors = c.tensors();
        return new DataParallelCheckpoint(ReplicaState.fromContents(tensors, meta), Integer.parseInt(meta.get("rounds")),
                losses, meta.get("config"));
    }
}
