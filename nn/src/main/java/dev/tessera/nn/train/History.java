package dev.tessera.nn.train;

import dev.tessera.nn.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The per-epoch logs of a training run: losses, metrics and learning rate, one row per epoch. */
public final class History {
    private final List<Map<String, Double>> epochs = new ArrayList<>();

    /** Appends one epoch's logs (copied); modifies this history. */
    public void add(Map<String, Double> logs) {
        epochs.add(Collections.unmodifiableMap(new LinkedHashMap<>(logs)));
    }

    /** Returns the number of epochs recorded. */
    public int size() {
        return epochs.size();
    }

    /** Returns the logs of every epoch, oldest first (unmodifiable). */
    public List<Map<String, Double>> epochs() {
        return Collections.unmodifiableList(epochs);
    }

    /** Returns the names of all logged values, in first-seen order. */
    public Set<String> keys() {
        Set<String> keys = new LinkedHashSet<>();
        for (Map<String, Double> e : epochs) {
            keys.addAll(e.keySet());
        }
        return keys;
    }

    /** Returns the values of {@code key} per epoch (NaN where an epoch did not log it). */
    public double[] get(String key) {
        double[] v = new double[epochs.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = epochs.get(i).getOrDefault(key, Double.NaN);
        }
        return v;
    }

    /** Returns the last epoch's value of {@code key}, or NaN. */
    public double last(String key) {
        return epochs.isEmpty() ? Double.NaN : epochs.get(epochs.size() - 1).getOrDefault(key, Double.NaN);
    }

    /** Returns the history as CSV: a header {@code epoch,<keys...>} and one line per epoch. */
    public String toCsv() {
        List<String> keys = new ArrayList<>(keys());
        StringBuilder sb = new StringBuilder("epoch");
        for (String k : keys) {
            sb.append(',').append(k);
        }
        sb.append('\n');
        for (int i = 0; i < epochs.size(); i++) {
            sb.append(i + 1);
            for (String k : keys) {
                Double v = epochs.get(i).get(k);
                sb.append(',').append(v == null ? "" : String.format(Locale.ROOT, "%.6g", v));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /**
     * Writes {@link #toCsv()} to {@code file} atomically (temporary file, then rename). The file gets
     * the permissions of any new file (those the process's umask allows), like the other outputs.
     */
    public void writeCsv(Path file) throws IOException {
        Path tmp = AtomicFiles.createTemp(file);
        try {
            Files.writeString(tmp, toCsv(), StandardCharsets.UTF_8);
            AtomicFiles.replace(tmp, file);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public String toString() {
        return toCsv();
    }
}
