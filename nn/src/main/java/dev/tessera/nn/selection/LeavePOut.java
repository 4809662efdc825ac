package dev.tessera.nn.selection;

import java.util.AbstractList;
import java.util.List;
import java.util.RandomAccess;

/**
 * Leave-p-out cross-validation: one fold for every set of {@code p} examples, which it tests while
 * training on the other {@code n - p}. The test sets are the {@code C(n, p)} combinations in
 * lexicographic order, as scikit-learn's {@code LeavePOut} ({@code itertools.combinations}) gives
 * them; test sets overlap for {@code p > 1}.
 *
 * <p>{@code C(n, p)} grows fast (C(100, 3) = 161,700), so the returned list is a lazy view: the
 * fold at index {@code i} is built from {@code i} when read.
 */
public final class LeavePOut implements IndexSplitter {
    private final int p;

    /**
     * Creates a leave-p-out splitter.
     *
     * @param p the size of every test set, at least 1
     * @throws IllegalArgumentException if {@code p < 1}
     */
    public LeavePOut(int p) {
        if (p < 1) {
            throw new IllegalArgumentException("LeavePOut: p must be at least 1, got p=" + p);
        }
        this.p = p;
    }

    /** Returns the size of every test set. */
    public int p() {
        return p;
    }

    /**
     * Returns the {@code C(n, p)} folds of {@code n} examples (an unmodifiable lazy list).
     *
     * @throws IllegalArgumentException if {@code p >= n} or there are more than {@link
     *                                  Integer#MAX_VALUE} combinations
     */
    @Override
    public List<Fold> split(int n) {
        if (p >= n) {
            throw new IllegalArgumentException("LeavePOut: p=" + p + " must be less than the number of examples n=" + n
                    + " (training needs at least one)");
        }
        long count = binomial(n, p);
        if (count > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("LeavePOut: C(n=" + n + ", p=" + p + ") folds exceed " + Integer.MAX_VALUE
                    + "; use KFold or ShuffleSplit");
        }
        return new Folds(n, p, (int) count);
    }

    /** Returns C(n, r), or a value above {@link Integer#MAX_VALUE} as soon as it exceeds it. */
    static long binomial(int n, int r) {
        if (r < 0 || r > n) {
            return 0;
        }
        int m = Math.min(r, n - r);
        long c = 1;
        for (int i = 1; i <= m; i++) {
            c = c * (n - m + i) / i; // exact: c * (n-m+i) is divisible by i at every step
            if (c > Integer.MAX_VALUE) {
                return c;
            }
        }
        return c;
    }

    @Override
    public String toString() {
        return "LeavePOut(p=" + p + ")";
    }

    /** The folds, each unranked from its index on access. */
    private static final class Folds extends AbstractList<Fold> implements RandomAccess {
        private final int n;
        private final int p;
        private final int count;

        Folds(int n, int p, int count) {
            this.n = n;
            this.p = p;
            this.count = count;
        }

        @Override
        public Fold get(int index) {
            if (index < 0 || index >= count) {
                throw new IndexOutOfBoundsException("LeavePOut: fold " + index + " of " + count);
            }
            // The index-th p-combination of 0..n-1 in lexicographic order.
            int[] test = new int[p];
            long rank = index;
            int next = 0;
            for (int slot = 0; slot < p; slot++) {
                for (int c = next; ; c++) {
                    long withC = binomial(n - c - 1, p - slot - 1);
                    if (rank < withC) {
                        test[slot] = c;
                        next = c + 1;
                        break;
                    }
                    rank -= withC;
                }
            }
            return new Fold(Splits.complement(test, n), test);
        }

        @Override
        public int size() {
            return count;
        }
    }
}
