package dev.tessera.nn.transfer;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How {@link Pretrained#load} maps a pretrained state dict onto a model.
 *
 * <pre>{@code
 * LoadOptions options = LoadOptions.builder()
 *         .keyMap(KeyMap.builder().stripPrefix("module.").build())
 *         .exclude("fc")                 // never load the old head, whatever its shape
 *         .build();
 * }</pre>
 *
 * @param keyMap               renames source keys to model keys (identity by default)
 * @param exclude              model keys that are never loaded, as {@link NamePattern}s (e.g. the old head)
 * @param skipMismatchedShapes when true (default), a key whose shapes differ is skipped and
 *                             reported; when false it is an error
 * @param strict               when true, loading fails unless every model key is loaded (apart from
 *                             excluded ones) and every source key is used (apart from dropped ones);
 *                             false by default
 */
public record LoadOptions(KeyMap keyMap, List<NamePattern> exclude, boolean skipMismatchedShapes, boolean strict) {
    private static final LoadOptions DEFAULTS = builder().build();

    /**
     * Checks the components and copies the list.
     *
     * @throws IllegalArgumentException if the key map or the exclude list is null
     */
    public LoadOptions {
        if (keyMap == null || exclude == null) {
            throw new IllegalArgumentException("LoadOptions: keyMap and exclude must not be null, got keyMap=" + keyMap
                    + ", exclude=" + exclude);
        }
        exclude = List.copyOf(exclude);
    }

    /** Returns the defaults: identity key map, nothing excluded, mismatched shapes skipped, not strict. */
    public static LoadOptions defaults() {
        return DEFAULTS;
    }

    /** Returns the defaults with {@code keyMap} instead of the identity. */
    public static LoadOptions withKeyMap(KeyMap keyMap) {
        return builder().keyMap(keyMap).build();
    }

    /** Starts from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns true when some exclude pattern matches the model key {@code key}. */
    public boolean excludes(String key) {
        for (NamePattern p : exclude) {
            if (p.matches(key)) {
                return true;
            }
        }
        return false;
    }

    /** Builds {@link LoadOptions}; every method returns this builder. */
    public static final class Builder {
        private KeyMap keyMap = KeyMap.identity();
        private final List<NamePattern> exclude = new ArrayList<>();
        private boolean skipMismatchedShapes = true;
        private boolean strict;

        private Builder() {
        }

        /** Sets the key map (default {@link KeyMap#identity()}). */
        public Builder keyMap(KeyMap value) {
            this.keyMap = Objects.requireNonNull(value, "LoadOptions.keyMap");
            return this;
        }

        /**
         * Never loads the model keys matched by {@code patterns} ({@link NamePattern} syntax); they
         * keep their initial values and are reported as skipped.
         *
         * @throws IllegalArgumentException if a pattern is empty or an invalid regex
         */
        public Builder exclude(String... patterns) {
            for (String p : patterns) {
                exclude.add(NamePattern.of(p));
            }
            return this;
        }

        /** Skips and reports (true, default) or refuses (false) keys whose shapes differ. */
        public Builder skipMismatchedShapes(boolean value) {
            this.skipMismatchedShapes = value;
            return this;
        }

        /** Requires every model key loaded and every source key used (default false). */
        public Builder strict(boolean value) {
            this.strict = value;
            return this;
        }

        /** Returns the options. */
        public LoadOptions build() {
            return new LoadOptions(keyMap, exclude, skipMismatchedShapes, strict);
        }
    }
}
