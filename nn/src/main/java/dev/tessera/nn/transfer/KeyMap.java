package dev.tessera.nn.transfer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Renames the keys of a pretrained state dict to the keys of the model that receives it, e.g. a
 * PyTorch checkpoint saved from {@code nn.DataParallel} ({@code module.conv1.weight}) or a backbone
 * whose layers are called differently here.
 *
 * <pre>{@code
 * KeyMap map = KeyMap.builder()
 *         .stripPrefix("module.")                         // DataParallel
 *         .rename("classifier.weight", "fc.weight")       // exact names
 *         .replacePrefix("features.", "backbone.")        // prefixes
 *         .replaceRegex("^layer(\\d+)\\.", "stage$1.")    // regular expressions
 *         .drop("num_batches_tracked")                    // keys not to load at all (a NamePattern)
 *         .build();
 * }</pre>
 *
 * <p>{@link #apply(String)} first checks the drop patterns against the source key; then every rule
 * (exact rename, prefix, regex) is applied in the order added, each to the result of the previous
 * one (so {@code rename} after {@code stripPrefix("module.")} names keys without the prefix).
 * Instances are immutable.
 */
public final class KeyMap {
    private static final KeyMap IDENTITY = new KeyMap(List.of(), List.of());

    private final List<Rule> rules;
    private final List<NamePattern> drops;

    /** An exact rename, a prefix replacement or (when {@code regex} is set) a regex replacement. */
    private record Rule(boolean exact, String from, String to, Pattern regex) {
        String apply(String key) {
            if (exact) {
                return key.equals(from) ? to : key;
            }
            if (regex == null) {
                return key.startsWith(from) ? to + key.substring(from.length()) : key;
            }
            return regex.matcher(key).replaceAll(to);
        }

        @Override
        public String toString() {
            return (exact ? "'" : regex == null ? "prefix '" : "regex '") + from + "' -> '" + to + "'";
        }
    }

    private KeyMap(List<Rule> rules, List<NamePattern> drops) {
        this.rules = List.copyOf(rules);
        this.drops = List.copyOf(drops);
    }

    /** Returns the map that keeps every key as it is. */
    public static KeyMap identity() {
        return IDENTITY;
    }

    /**
     * Returns a map renaming exactly the keys of {@code renames} (source key to model key) and
     * keeping the others.
     *
     * @throws IllegalArgumentException if a key or value is null or empty
     */
    public static KeyMap of(Map<String, String> renames) {
        Builder b = builder();
        renames.forEach(b::rename);
        return b.build();
    }

    /** Starts an empty map. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the model key for the source key {@code key}, or null when a drop pattern matches it;
     * modifies nothing.
     */
    public String apply(String key) {
        Objects.requireNonNull(key, "KeyMap.apply: key");
        for (NamePattern p : drops) {
            if (p.matches(key)) {
                return null;
            }
        }
        String k = key;
        for (Rule r : rules) {
            k = r.apply(k);
        }
        return k;
    }

    /** Returns true when the map keeps every key as it is. */
    public boolean isIdentity() {
        return rules.isEmpty() && drops.isEmpty();
    }

    /** Returns the rules and the drop patterns. */
    @Override
    public String toString() {
        return "KeyMap(rules=" + rules + ", drop=" + drops + ")";
    }

    /** Collects the renaming rules of a {@link KeyMap}; every method returns this builder. */
    public static final class Builder {
        private final Map<String, String> exact = new HashMap<>();
        private final List<Rule> rules = new ArrayList<>();
        private final List<NamePattern> drops = new ArrayList<>();

        private Builder() {
        }

        /**
         * Renames the key {@code from} (as the earlier rules left it) to {@code to} exactly.
         *
         * @throws IllegalArgumentException if either is null or empty, or {@code from} was already renamed
         */
        public Builder rename(String from, String to) {
            requireText("rename", "from", from);
            requireText("rename", "to", to);
            if (exact.containsKey(from)) {
                throw new IllegalArgumentException("KeyMap.rename: key '" + from + "' is already renamed to '"
                        + exact.get(from) + "', cannot also rename it to '" + to + "'");
            }
            exact.put(from, to);
            rules.add(new Rule(true, from, to, null));
            return this;
        }

        /**
         * Replaces the prefix {@code from} by {@code to} in every key that starts with it (after the
         * earlier rules).
         *
         * @throws IllegalArgumentException if {@code from} is null or empty, or {@code to} is null
         */
        public Builder replacePrefix(String from, String to) {
            requireText("replacePrefix", "from", from);
            Objects.requireNonNull(to, "KeyMap.replacePrefix: to");
            rules.add(new Rule(false, from, to, null));
            return this;
        }

        /** Removes the prefix {@code prefix} (e.g. {@code "module."}) from every key that starts with it. */
        public Builder stripPrefix(String prefix) {
            return replacePrefix(prefix, "");
        }

        /** Prepends {@code prefix} (e.g. {@code "backbone."}) to every key. */
        public Builder addPrefix(String prefix) {
            requireText("addPrefix", "prefix", prefix);
            rules.add(new Rule(false, "^", prefix, Pattern.compile("^")));
            return this;
        }

        /**
         * Replaces every match of {@code regex} by {@code replacement} ({@code $1} for groups, as
         * {@link java.util.regex.Matcher#replaceAll(String)}) in every key (after the earlier rules).
         *
         * @throws IllegalArgumentException if the expression is empty or invalid (naming it)
         */
        public Builder replaceRegex(String regex, String replacement) {
            requireText("replaceRegex", "regex", regex);
            Objects.requireNonNull(replacement, "KeyMap.replaceRegex: replacement");
            try {
                rules.add(new Rule(false, regex, replacement, Pattern.compile(regex)));
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("KeyMap.replaceRegex: invalid regular expression '" + regex + "': "
                        + e.getDescription(), e);
            }
            return this;
        }

        /**
         * Drops every source key that {@code pattern} (a {@link NamePattern}: glob, or regex with
         * {@code re:}) matches: it is not loaded and is reported as skipped.
         *
         * @throws IllegalArgumentException if the pattern is empty or invalid
         */
        public Builder drop(String pattern) {
            drops.add(NamePattern.of(pattern));
            return this;
        }

        /** Returns the map. */
        public KeyMap build() {
            return new KeyMap(rules, drops);
        }

        private static void requireText(String op, String what, String value) {
            if (value == null || value.isEmpty()) {
                throw new IllegalArgumentException("KeyMap." + op + ": " + what + " must be non-empty, got "
                        + (value == null ? "null" : "''"));
            }
        }
    }
}
