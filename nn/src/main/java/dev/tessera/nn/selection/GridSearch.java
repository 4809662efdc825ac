package dev.tessera.nn.selection;

import java.util.List;

/**
 * Exhaustive search: every combination of a {@link ParamGrid} is scored by cross-validation and
 * ranked (as scikit-learn's {@code GridSearchCV}).
 *
 * <pre>{@code
 * SearchResult r = GridSearch.builder(grid, p -> mlp(p.getInt("hidden"), p.getDouble("dropout")), cv)
 *         .trainer(p -> TrainerConfig.builder().optimizer(ps -> new Adam(ps, p.getFloat("lr"))).build())
 *         .refit(true).build().run(data);
 * System.out.println(r.table());
 * }</pre>
 */
public final class GridSearch extends HyperparameterSearch {
    private final ParamGrid grid;

    private GridSearch(Builder b) {
        super(b);
        this.grid = b.grid;
    }

    /**
     * Starts configuring a search over {@code grid}, building models with {@code modelFactory} and
     * scoring them with {@code cv}.
     *
     * @throws IllegalArgumentException if an argument is null
     */
    public static Builder builder(ParamGrid grid, ModelFactory modelFactory, CrossValidation cv) {
        return new Builder(grid, modelFactory, cv);
    }

    /** Returns the grid. */
    public ParamGrid grid() {
        return grid;
    }

    /** Returns every combination of the grid, the last name varying fastest. */
    @Override
    public List<Params> candidates() {
        return grid.candidates();
    }

    @Override
    public String toString() {
        return "GridSearch(" + grid + ", " + cv() + ", scoring=" + scoring() + ")";
    }

    /** Configures a {@link GridSearch}. */
    public static final class Builder extends HyperparameterSearch.Builder<Builder> {
        private final ParamGrid grid;

        private Builder(ParamGrid grid, ModelFactory modelFactory, CrossValidation cv) {
            super("GridSearch", modelFactory, cv);
            if (grid == null) {
                throw new IllegalArgumentException("GridSearch: the grid is required");
            }
            this.grid = grid;
        }

        @Override
        Builder self() {
            return this;
        }

        /**
         * Returns the search.
         *
         * @throws IllegalArgumentException if the scoring metric is not one of the cross-validation's
         */
        public GridSearch build() {
            return new GridSearch(this);
        }
    }
}
