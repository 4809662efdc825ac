package dev.tessera.nn.transfer;

import dev.tessera.DType;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What {@link Pretrained#load} did with each key: which model keys received pretrained values, which
 * were renamed on the way, which pretrained values were skipped and why, which pretrained keys the
 * model does not have, which model keys were left at their initial values, which values changed
 * dtype on the way (e.g. PyTorch's int64 {@code num_batches_tracked}, stored as {@code I64}, into
 * Tessera's INT32 buffer), and which batch-norm counters the source lacked and were set to 0.
 *
 * @param loaded     model keys that received a pretrained value, in the model's order
 * @param renamed    source key to model key, for the loaded keys whose name the {@link KeyMap} changed
 * @param skipped    pretrained values that were not loaded, each with the reason (e.g. the old head,
 *                   whose shape differs)
 * @param unexpected source keys (as in the file) whose mapped name the model does not have
 * @param missing    model keys that received no value and keep their initial values (including the
 *                   targets of skipped values), in the model's order; batch-norm counters ({@code
 *                   num_batches_tracked}) are listed here only when their layer received nothing
 * @param converted  the loaded values whose dtype was converted, in the model's order
 * @param defaulted  {@code num_batches_tracked} counters of batch norms whose running statistics were
 *                   loaded from a source without the counter: set to 0, as PyTorch 1.13 does
 */
public record TransferReport(List<String> loaded, Map<String, String> renamed, List<Skip> skipped, List<String> unexpected,
                             List<String> missing, List<Conversion> converted, List<String> defaulted) {

    /**
     * One loaded value whose dtype changed.
     *
     * @param key  the model key
     * @param from the source dtype: as a safetensors header names it ({@code "I64"}, {@code "F16"},
     *             ...) when read from a file, else the Tessera dtype's name ({@code "INT32"})
     * @param to   the model tensor's dtype
     */
    public record Conversion(String key, String from, DType to) {
        /** Returns e.g. {@code bn1.num_batches_tracked: I64 -> INT32}. */
        @Override
        public String toString() {
            return key + ": " + from + " -> " + to;
        }
    }

    /** Why a pretrained value was not loaded. */
    public enum Reason {
        /** The pretrained tensor's shape differs from the model's (e.g. a head with another number of classes). */
        SHAPE_MISMATCH,
        /** The model key matches an exclude pattern of {@link LoadOptions}. */
        EXCLUDED,
        /** The source key matches a drop pattern of the {@link KeyMap}. */
        DROPPED,
        /** Another source key was already mapped to the same model key (the first one is loaded). */
        DUPLICATE
    }

    /**
     * One pretrained value that was not loaded.
     *
     * @param sourceKey   the key in the pretrained state dict
     * @param modelKey    the model key it maps to (null when it was dropped by the key map)
     * @param reason      why it was skipped
     * @param sourceShape the pretrained tensor's shape
     * @param modelShape  the model tensor's shape, or null when the model has no such key
     */
    public record Skip(String sourceKey, String modelKey, Reason reason, int[] sourceShape, int[] modelShape) {
        /** Copies the shapes. */
        public Skip {
            sourceShape = sourceShape == null ? null : sourceShape.clone();
            modelShape = modelShape == null ? null : modelShape.clone();
        }

        /** Returns a copy of the pretrained tensor's shape. */
        @Override
        public int[] sourceShape() {
            return sourceShape == null ? null : sourceShape.clone();
        }

        /** Returns a copy of the model tensor's shape, or null. */
        @Override
        public int[] modelShape() {
            return modelShape == null ? null : modelShape.clone();
        }

        /** Returns e.g. {@code fc.weight: SHAPE_MISMATCH (checkpoint [10, 64], model [3, 64])}. */
        @Override
        public String toString() {
            String key = modelKey == null || modelKey.equals(sourceKey) ? String.valueOf(modelKey == null ? sourceKey : modelKey)
                    : sourceKey + " -> " + modelKey;
            return key + ": " + reason + " (checkpoint " + Arrays.toString(sourceShape)
                    + (modelShape == null ? "" : ", model " + Arrays.toString(modelShape)) + ")";
        }
    }

    /** Copies every collection, so the report is immutable. */
    public TransferReport {
        loaded = List.copyOf(loaded);
        renamed = Map.copyOf(renamed);
        skipped = List.copyOf(skipped);
        unexpected = List.copyOf(unexpected);
        missing = List.copyOf(missing);
        converted = List.copyOf(converted);
        defaulted = List.copyOf(defaulted);
    }

    /** A report without dtype conversions or defaulted counters. */
    public TransferReport(List<String> loaded, Map<String, String> renamed, List<Skip> skipped, List<String> unexpected,
                          List<String> missing) {
        this(loaded, renamed, skipped, unexpected, missing, List.of(), List.of());
    }

    /** Returns the skipped values with the given reason. */
    public List<Skip> skipped(Reason reason) {
        return skipped.stream().filter(s -> s.reason() == reason).collect(Collectors.toList());
    }

    /** Returns true when every model key was loaded and every pretrained value used. */
    public boolean isComplete() {
        return missing.isEmpty() && skipped.isEmpty() && unexpected.isEmpty();
    }

    /**
     * Returns a multi-line summary: counts, then the skipped, unexpected and missing keys, the dtype
     * conversions and the defaulted counters (each list cut after 20 entries).
     */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append("loaded ").append(loaded.size()).append(" tensors (").append(renamed.size()).append(" renamed, ")
                .append(converted.size()).append(" converted), skipped ")
                .append(skipped.size()).append(", unexpected ").append(unexpected.size()).append(", left at initial values ")
                .append(missing.size()).append(", counters set to 0 ").append(defaulted.size());
        appendList(sb, "skipped", skipped);
        appendList(sb, "unexpected", unexpected);
        appendList(sb, "left at initial values", missing);
        appendList(sb, "converted", converted);
        appendList(sb, "num_batches_tracked absent, set to 0", defaulted);
        return sb.toString();
    }

    private static void appendList(StringBuilder sb, String title, List<?> items) {
        if (items.isEmpty()) {
            return;
        }
        sb.append('\n').append(title).append(':');
        int shown = Math.min(items.size(), 20);
        for (int i = 0; i < shown; i++) {
            sb.append("\n  ").append(items.get(i));
        }
        if (shown < items.size()) {
            sb.append("\n  ... and ").append(items.size() - shown).append(" more");
        }
    }

    /** Returns {@link #summary()}. */
    @Override
    public String toString() {
        return summary();
    }
}
