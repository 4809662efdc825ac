package dev.tessera.nn.selection;

import java.util.List;

/**
 * Random search: {@code nIter} candidates drawn from {@link ParamDistributions} with a seeded
 * generator, each scored by cross-validation and ranked (as scikit-learn's {@code
 * RandomizedSearchCV}). With continuous distributions (a log-uniform learning rate) it explores
 * more distinct values per dimension than a grid of the same cost. The same seed gives the same
 * candidates.
 */
public final class RandomSearch extends HyperparameterSearch {
    private final ParamDistributions distributions;
    private final int nIter;
    private final long seed;

    private RandomSearch(Builder b) {
        super(b);
        this.distributions = b.distributions;
        this.nIter = b.nIter;
        this.seed = b.seed;
    }

    /**
     * Starts configuring a search of {@code nIter} candidates drawn from {@code distributions},
     * models built with {@code modelFactory} and scored with {@code cv}; the seed defaults to 0.
     *
     * @throws IllegalArgumentException if an argument is null or {@code nIter < 1}
     */
    public static Builder builder(ParamDistributions distributions, int nIter, ModelFactory modelFactory, CrossValidation cv) {
        return new Builder(distributions, nIter, modelFactory, cv);
    }

    /** Returns the {@code nIter} candidates drawn with the seed (fewer for a small grid of choices). */
    @Override
    public List<Params> candidates() {
        return distributions.sample(nIter, seed);
    }

    @Override
    public String toString() {
        return "RandomSearch(" + distributions + ", nIter=" + nIter + ", seed=" + seed + ", " + cv() + ", scoring="
                + scoring() + ")";
    }

    /** Configures a {@link RandomSearch}. */
    public static final class Builder extends HyperparameterSearch.Builder<Builder> {
        private final ParamDistributions distributions;
        private final int nIter;
        private long seed;

        private Builder(ParamDistributions distributions, int nIter, ModelFactory modelFactory, CrossValidation cv) {
            super("RandomSearch", modelFactory, cv);
            if (distributions == null) {
                throw new IllegalArgumentException("RandomSearch: the distributions are required");
            }
            if (nIter < 1) {
                throw new IllegalArgumentException("RandomSearch: nIter must be at least 1, got " + nIter);
            }
            this.distributions = distributions;
            this.nIter = nIter;
        }

        @Override
        Builder self() {
            return this;
        }

        /** Sets the seed of the candidates' draws (default 0); returns this builder. */
        public Builder seed(long value) {
            this.seed = value;
            return this;
        }

        /**
         * Returns the search.
         *
         * @throws IllegalArgumentException if the scoring metric is not one of the cross-validation's
         */
        public RandomSearch build() {
            return new RandomSearch(this);
        }
    }
}
