package dev.tessera.nn.selection;

import java.util.Arrays;

/**
 * One train/test split: the indices of the examples to train on and those to test on, each in
 * ascending order unless the splitter says otherwise. The arrays are shared, not copied: do not
 * modify them.
 *
 * <p>Equality, hash code and {@link #toString()} use the arrays' contents (a record would compare
 * array references).
 *
 * @param train the training indices
 * @param test  the test indices
 */
public record Fold(int[] train, int[] test) {

    /**
     * Creates a fold over the given arrays (not copied).
     *
     * @throws IllegalArgumentException if an array is null or the test set is empty
     */
    public Fold {
        if (train == null || test == null) {
            throw new IllegalArgumentException("Fold: train and test indices must not be null, got train="
                    + (train == null ? "null" : "int[" + train.length + "]") + ", test="
                    + (test == null ? "null" : "int[" + test.length + "]"));
        }
        if (test.length == 0) {
            throw new IllegalArgumentException("Fold: the test set is empty");
        }
    }

    /** Returns the number of training examples. */
    public int trainSize() {
        return train.length;
    }

    /** Returns the number of test examples. */
    public int testSize() {
        return test.length;
    }

    /** Returns true when {@code o} is a fold with the same training and test indices in the same order. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Fold f && Arrays.equals(train, f.train) && Arrays.equals(test, f.test);
    }

    /** Returns a hash of the indices' contents. */
    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(train) + Arrays.hashCode(test);
    }

    /** Returns {@code Fold[train=[...], test=[...]]}, abbreviating long index lists. */
    @Override
    public String toString() {
        return "Fold[train=" + abbreviate(train) + ", test=" + abbreviate(test) + "]";
    }

    private static String abbreviate(int[] a) {
        if (a.length <= 20) {
            return Arrays.toString(a);
        }
        return Arrays.toString(Arrays.copyOf(a, 10)).replace("]", ", ... (" + a.length + " in all)]");
    }
}
