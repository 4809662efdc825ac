package dev.tessera.nn.selection;

import dev.tessera.nn.data.Dataset;
import java.util.List;

/**
 * Cuts a dataset into train/test {@link Fold}s for cross-validation. Each splitter also has a
 * typed method on what it actually needs ({@link IndexSplitter#split(int)} for the number of
 * examples, {@link LabelSplitter#split(int[])} for class labels, {@link GroupKFold#split(int[])}
 * for groups); {@link #split(Dataset)} reads that from the dataset, so {@link CrossValidation}
 * accepts any splitter.
 */
public interface Splitter {

    /**
     * Returns the folds of {@code data}'s examples (indices into {@code data}); does not modify it.
     *
     * @throws IllegalArgumentException if the split is impossible (too few examples, classes or groups)
     */
    List<Fold> split(Dataset data);

    /**
     * Returns the splitter to use on {@code data.subset(indices)} of a dataset this splitter was
     * meant for; used by nested cross-validation to split an outer training part again. Splitters
     * that read everything they need from the dataset return themselves (the default); one bound to
     * per-example information (groups) returns a splitter bound to the selected examples'.
     *
     * @param indices indices into the dataset this splitter was built for
     */
    default Splitter onSubset(int[] indices) {
        return this;
    }
}
