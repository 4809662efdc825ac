package dev.tessera.nn.selection;

import java.util.ArrayList;
import java.util.List;

/**
 * Cross-validation for ordered data (time series): each fold trains on a stretch of examples and
 * tests on the ones right after it, so training always precedes test; successive folds move
 * forward in time, training sets growing (or sliding, with a maximum training size).
 *
 * <p>The folds are exactly those of scikit-learn's {@code TimeSeriesSplit(n_splits=k,
 * max_train_size, test_size, gap)}, in the same order: the test size is {@code testSize} or, by
 * default, {@code n / (k + 1)}; the test sets are the last {@code k * testSize} examples cut into
 * {@code k} consecutive blocks; fold {@code f} trains on everything before its test block minus
 * the {@code gap} examples just before it, keeping only the last {@code maxTrainSize} when that is
 * set. Indices are ascending; examples before the first training set (when {@code n} is not a
 * multiple of the test size) are never tested.
 */
public final class TimeSeriesSplit implements IndexSplitter {
    private final int k;
    private final int gap;
    private final int maxTrainSize;
    private final int testSize;

    /**
     * Creates a time-series splitter with no gap, unbounded training sets and the default test size.
     *
     * @param k the number of splits, at least 2
     * @throws IllegalArgumentException if {@code k < 2}
     */
    public TimeSeriesSplit(int k) {
        this(k, 0, 0, 0);
    }

    /**
     * Creates a time-series splitter.
     *
     * @param k            the number of splits, at least 2
     * @param gap          examples left out between each training set and its test set, at least 0
     * @param maxTrainSize the largest training set (the most recent examples are kept), or 0 for no limit
     * @param testSize     the size of every test set, or 0 for {@code n / (k + 1)}
     * @throws IllegalArgumentException if an argument is out of range
     */
    public TimeSeriesSplit(int k, int gap, int maxTrainSize, int testSize) {
        Splits.checkFolds("TimeSeriesSplit", k);
        if (gap < 0 || maxTrainSize < 0 || testSize < 0) {
            throw new IllegalArgumentException("TimeSeriesSplit: gap, maxTrainSize and testSize must be >= 0, got gap="
                    + gap + ", maxTrainSize=" + maxTrainSize + ", testSize=" + testSize);
        }
        this.k = k;
        this.gap = gap;
        this.maxTrainSize = maxTrainSize;
        this.testSize = testSize;
    }

    /** Returns a copy of this splitter leaving {@code gap} examples out before each test set. */
    public TimeSeriesSplit withGap(int gap) {
        return new TimeSeriesSplit(k, gap, maxTrainSize, testSize);
    }

    /** Returns a copy of this splitter keeping at most the last {@code maxTrainSize} training examples (0: no limit). */
    public TimeSeriesSplit withMaxTrainSize(int maxTrainSize) {
        return new TimeSeriesSplit(k, gap, maxTrainSize, testSize);
    }

    /** Returns a copy of this splitter testing {@code testSize} examples per fold (0: {@code n / (k + 1)}). */
    public TimeSeriesSplit withTestSize(int testSize) {
        return new TimeSeriesSplit(k, gap, maxTrainSize, testSize);
    }

    /**
     * Returns the {@code k} folds of {@code n} time-ordered examples.
     *
     * @throws IllegalArgumentException if {@code k + 1 > n}, or the test sets and gap leave no training example
     */
    @Override
    public List<Fold> split(int n) {
        if (k + 1 > n) {
            throw new IllegalArgumentException("TimeSeriesSplit: k=" + k + " splits need at least k + 1 = " + (k + 1)
                    + " examples, got n=" + n);
        }
        int test = testSize > 0 ? testSize : n / (k + 1);
        if ((long) n - gap - (long) test * k <= 0) {
            throw new IllegalArgumentException("TimeSeriesSplit: too many splits k=" + k + " for n=" + n
                    + " examples with testSize=" + test + " and gap=" + gap + " (no training example would be left)");
        }
        List<Fold> folds = new ArrayList<>(k);
        for (int start = n - k * test; start < n; start += test) {
            int trainEnd = start - gap;
            int trainStart = maxTrainSize > 0 && maxTrainSize < trainEnd ? trainEnd - maxTrainSize : 0;
            folds.add(new Fold(Splits.range(trainStart, trainEnd), Splits.range(start, start + test)));
        }
        return folds;
    }

    @Override
    public String toString() {
        return "TimeSeriesSplit(k=" + k + (gap > 0 ? ", gap=" + gap : "") + (maxTrainSize > 0 ? ", maxTrainSize="
                + maxTrainSize : "") + (testSize > 0 ? ", testSize=" + testSize : "") + ")";
    }
}
