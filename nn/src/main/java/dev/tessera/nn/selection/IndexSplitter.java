package dev.tessera.nn.selection;

import dev.tessera.nn.data.Dataset;
import java.util.List;

/** A splitter that needs only the number of examples (k-fold, leave-one-out, shuffle and time-series splits). */
public interface IndexSplitter extends Splitter {

    /**
     * Returns the folds of {@code n} examples, indices {@code 0 .. n-1}.
     *
     * @throws IllegalArgumentException if {@code n} examples are too few for this splitter
     */
    List<Fold> split(int n);

    /** Returns {@link #split(int) split(data.size())}. */
    @Override
    default List<Fold> split(Dataset data) {
        return split(data.size());
    }
}
