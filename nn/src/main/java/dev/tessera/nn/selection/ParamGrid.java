package dev.tessera.nn.selection;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A grid of hyperparameter values: every combination of one value per name is a candidate for
 * {@link GridSearch}.
 *
 * <pre>{@code
 * ParamGrid grid = ParamGrid.builder().add("lr", 1e-3, 1e-2).add("hidden", 16, 64).build();
 * grid.candidates();   // {lr=0.001, hidden=16}, {lr=0.001, hidden=64}, {lr=0.01, hidden=16}, {lr=0.01, hidden=64}
 * }</pre>
 *
 * <p>Combinations are listed with the last name varying fastest, names in the order added
 * (scikit-learn's {@code ParameterGrid} sorts names alphabetically first; Tessera keeps yours).
 */
public final class ParamGrid {
    private final Map<String, List<Object>> values;

    private ParamGrid(Map<String, List<Object>> values) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** Returns a builder for a grid. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns the values of every name, in the order added (unmodifiable). */
    public Map<String, List<Object>> values() {
        return values;
    }

    /** Returns the number of combinations. */
    public int size() {
        long n = 1;
        for (List<Object> v : values.values()) {
            n *= v.size();
            if (n > Integer.MAX_VALUE) {
                throw new IllegalStateException("ParamGrid: more than " + Integer.MAX_VALUE + " combinations");
            }
        }
        return (int) n;
    }

    /** Returns every combination (a new list), the last name varying fastest. */
    public List<Params> candidates() {
        int size = size();
        List<String> names = new ArrayList<>(values.keySet());
        List<Params> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            LinkedHashMap<String, Object> p = new LinkedHashMap<>();
            int rest = i;
            Object[] picked = new Object[names.size()];
            for (int j = names.size() - 1; j >= 0; j--) {
                List<Object> v = values.get(names.get(j));
                picked[j] = v.get(rest % v.size());
                rest /= v.size();
            }
            for (int j = 0; j < names.size(); j++) {
                p.put(names.get(j), picked[j]);
            }
            out.add(Params.of(p));
        }
        return out;
    }

    @Override
    public String toString() {
        return "ParamGrid" + values;
    }

    /** Builds a {@link ParamGrid}. */
    public static final class Builder {
        private final Map<String, List<Object>> values = new LinkedHashMap<>();

        private Builder() {
        }

        /**
         * Adds the candidate values of {@code name}; returns this builder.
         *
         * @throws IllegalArgumentException if the name is empty or already added, or there are no values or a null one
         */
        public Builder add(String name, Object... candidates) {
            return add(name, Arrays.asList(candidates));
        }

        /**
         * Adds the candidate values of {@code name} (copied); returns this builder.
         *
         * @throws IllegalArgumentException if the name is empty or already added, or there are no values or a null one
         */
        public Builder add(String name, List<?> candidates) {
            if (name == null || name.isEmpty() || values.containsKey(name)) {
                throw new IllegalArgumentException("ParamGrid: parameter name '" + name + "' is empty or already added");
            }
            if (candidates == null || candidates.isEmpty() || candidates.stream().anyMatch(java.util.Objects::isNull)) {
                throw new IllegalArgumentException("ParamGrid: parameter '" + name + "' needs at least one non-null value, got "
                        + candidates);
            }
            values.put(name, List.copyOf(candidates));
            return this;
        }

        /** Returns the grid (with no names: one empty candidate). */
        public ParamGrid build() {
            return new ParamGrid(values);
        }
    }
}
