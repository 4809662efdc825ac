package dev.tessera.nn.selection;

import java.util.AbstractList;
import java.util.List;
import java.util.RandomAccess;

/**
 * Leave-one-out cross-validation: {@code n} folds, fold {@code i} testing example {@code i} alone
 * and training on all others, as scikit-learn's {@code LeaveOneOut} (same folds, same order).
 * Equivalent to {@code KFold(n)}.
 *
 * <p>The returned list is a lazy view: a fold's arrays are built when it is read, so {@code n}
 * folds of {@code n - 1} training indices never sit in memory together.
 */
public final class LeaveOneOut implements IndexSplitter {

    /** Creates a leave-one-out splitter. */
    public LeaveOneOut() {
    }

    /**
     * Returns the {@code n} leave-one-out folds of {@code n} examples (an unmodifiable lazy list).
     *
     * @throws IllegalArgumentException if {@code n < 2}
     */
    @Override
    public List<Fold> split(int n) {
        if (n < 2) {
            throw new IllegalArgumentException("LeaveOneOut: needs at least 2 examples, got n=" + n);
        }
        return new Folds(n);
    }

    @Override
    public String toString() {
        return "LeaveOneOut()";
    }

    /** The folds, computed on access. */
    private static final class Folds extends AbstractList<Fold> implements RandomAccess {
        private final int n;

        Folds(int n) {
            this.n = n;
        }

        @Override
        public Fold get(int i) {
            if (i < 0 || i >= n) {
                throw new IndexOutOfBoundsException("LeaveOneOut: fold " + i + " of " + n);
            }
            int[] train = new int[n - 1];
            for (int j = 0, t = 0; j < n; j++) {
                if (j != i) {
                    train[t++] = j;
                }
            }
            return new Fold(train, new int[] {i});
        }

        @Override
        public int size() {
            return n;
        }
    }
}
