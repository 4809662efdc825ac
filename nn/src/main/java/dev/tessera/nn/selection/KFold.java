package dev.tessera.nn.selection;

import dev.tessera.Generator;
import java.util.List;

/**
 * K-fold cross-validation: the examples are cut into {@code k} consecutive folds (after an
 * optional seeded shuffle), each used once as the test set while the other {@code k - 1} train.
 *
 * <p>Fold sizes: the first {@code n % k} folds hold {@code n / k + 1} examples, the others {@code
 * n / k}. Without shuffling, fold {@code f} tests a contiguous block and the folds are exactly
 * those of scikit-learn's {@code KFold(n_splits=k)}, in the same order; training and test indices
 * are both ascending, as there. With shuffling, the order of the examples is {@link
 * Generator#permutation(int)} of a {@link Generator} seeded with {@code seed}, so the same seed
 * gives the same folds (not the folds scikit-learn draws with NumPy's generator).
 */
public final class KFold implements IndexSplitter {
    private final int k;
    private final boolean shuffle;
    private final long seed;

    /** Creates an unshuffled k-fold splitter; see {@link #KFold(int, boolean, long)}. */
    public KFold(int k) {
        this(k, false, 0);
    }

    /**
     * Creates a k-fold splitter.
     *
     * @param k       the number of folds, at least 2
     * @param shuffle whether to shuffle the examples before cutting them into folds
     * @param seed    the seed of the shuffle (ignored without shuffling)
     * @throws IllegalArgumentException if {@code k < 2}
     */
    public KFold(int k, boolean shuffle, long seed) {
        Splits.checkFolds("KFold", k);
        this.k = k;
        this.shuffle = shuffle;
        this.seed = seed;
    }

    /** Returns the number of folds. */
    public int k() {
        return k;
    }

    /**
     * Returns the {@code k} folds of {@code n} examples.
     *
     * @throws IllegalArgumentException if {@code k > n}
     */
    @Override
    public List<Fold> split(int n) {
        Splits.checkFoldsVsExamples("KFold", k, n);
        int[] order = shuffle ? new Generator(seed).permutation(n) : Splits.range(0, n);
        int[] foldOf = new int[n];
        int pos = 0;
        for (int f = 0; f < k; f++) {
            int size = n / k + (f < n % k ? 1 : 0);
            for (int j = 0; j < size; j++) {
                foldOf[order[pos++]] = f;
            }
        }
        return Splits.fromAssignment(foldOf, k);
    }

    @Override
    public String toString() {
        return "KFold(k=" + k + (shuffle ? ", shuffle, seed=" + seed : "") + ")";
    }
}
