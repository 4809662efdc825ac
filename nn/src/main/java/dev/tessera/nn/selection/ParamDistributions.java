package dev.tessera.nn.selection;

import dev.tessera.Generator;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The search space of {@link RandomSearch}: a {@link Distribution} per hyperparameter name.
 *
 * <pre>{@code
 * ParamDistributions space = ParamDistributions.builder()
 *         .add("lr", Distribution.logUniform(1e-4, 1e-1))
 *         .add("hidden", Distribution.choice(16, 32, 64))
 *         .add("dropout", Distribution.uniform(0, 0.5)).build();
 * }</pre>
 *
 * <p>As scikit-learn's {@code ParameterSampler}: when every distribution is a {@link
 * Distribution#choice}, candidates are drawn without replacement from the grid of all choices
 * (all of it, with a warning, when fewer combinations exist than requested); otherwise every
 * candidate draws each name independently, names in the order added. Draws come from one {@link
 * Generator} seeded with the seed, so the same seed gives the same candidates.
 */
public final class ParamDistributions {
    private static final Logger LOG = LoggerFactory.getLogger(ParamDistributions.class);

    private final Map<String, Distribution> distributions;

    private ParamDistributions(Map<String, Distribution> distributions) {
        this.distributions = Collections.unmodifiableMap(new LinkedHashMap<>(distributions));
    }

    /** Returns a builder for a search space. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns the distribution of every name, in the order added (unmodifiable). */
    public Map<String, Distribution> distributions() {
        return distributions;
    }

    /**
     * Returns {@code n} candidates drawn with a generator seeded with {@code seed} (fewer when every
     * distribution is a choice and the grid of choices is smaller).
     *
     * @throws IllegalArgumentException if {@code n < 1}
     */
    public List<Params> sample(int n, long seed) {
        if (n < 1) {
            throw new IllegalArgumentException("ParamDistributions.sample: n must be at least 1, got " + n);
        }
        Generator g = new Generator(seed);
        if (distributions.values().stream().allMatch(d -> d instanceof Distribution.Choice)) {
            ParamGrid.Builder b = ParamGrid.builder();
            distributions.forEach((name, d) -> b.add(name, ((Distribution.Choice) d).values()));
            List<Params> grid = b.build().candidates();
            if (n > grid.size()) {
                LOG.warn("ParamDistributions: {} candidates were requested but the choices make only {} combinations;"
                        + " returning them all", n, grid.size());
            }
            int[] perm = g.permutation(grid.size());
            List<Params> out = new ArrayList<>();
            for (int i = 0; i < Math.min(n, grid.size()); i++) {
                out.add(grid.get(perm[i]));
            }
            return out;
        }
        List<Params> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            LinkedHashMap<String, Object> p = new LinkedHashMap<>();
            distributions.forEach((name, d) -> p.put(name, d.sample(g)));
            out.add(Params.of(p));
        }
        return out;
    }

    @Override
    public String toString() {
        return "ParamDistributions" + distributions;
    }

    /** Builds {@link ParamDistributions}. */
    public static final class Builder {
        private final Map<String, Distribution> distributions = new LinkedHashMap<>();

        private Builder() {
        }

        /**
         * Adds the distribution of {@code name}; returns this builder.
         *
         * @throws IllegalArgumentException if the name is empty or already added, or the distribution is null
         */
        public Builder add(String name, Distribution distribution) {
            if (name == null || name.isEmpty() || distributions.containsKey(name)) {
                throw new IllegalArgumentException("ParamDistributions: parameter name '" + name + "' is empty or already added");
            }
            if (distribution == null) {
                throw new IllegalArgumentException("ParamDistributions: parameter '" + name + "' has a null distribution");
            }
            distributions.put(name, distribution);
            return this;
        }

        /**
         * Adds a uniform choice among {@code values} for {@code name}; returns this builder.
         *
         * @throws IllegalArgumentException as {@link #add(String, Distribution)} and {@link Distribution#choice}
         */
        public Builder choice(String name, Object... values) {
            return add(name, Distribution.choice(values));
        }

        /**
         * Returns the search space.
         *
         * @throws IllegalArgumentException if no parameter was added
         */
        public ParamDistributions build() {
            if (distributions.isEmpty()) {
                throw new IllegalArgumentException("ParamDistributions: add at least one parameter");
            }
            return new ParamDistributions(distributions);
        }
    }
}
