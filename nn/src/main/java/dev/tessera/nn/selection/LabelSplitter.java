package dev.tessera.nn.selection;

import dev.tessera.nn.data.Dataset;
import java.util.List;

/** A splitter that keeps the class proportions of the labels in every fold (the stratified ones). */
public interface LabelSplitter extends Splitter {

    /**
     * Returns the folds of the examples whose class labels are {@code labels} (any int values; not
     * modified), indices {@code 0 .. labels.length-1}.
     *
     * @throws IllegalArgumentException if the classes are too small for this splitter
     */
    List<Fold> split(int[] labels);

    /** Returns {@link #split(int[]) split(data.labels())}. */
    @Override
    default List<Fold> split(Dataset data) {
        return split(data.labels());
    }
}
