package dev.tessera.nn.selection;

import dev.tessera.Generator;
import java.util.ArrayList;
import java.util.List;

/**
 * Monte Carlo cross-validation: {@code nSplits} independent random train/test splits. Unlike
 * k-fold, an example may be tested in several splits or in none.
 *
 * <p>Sizes follow scikit-learn's {@code ShuffleSplit}: {@code nTest = ceil(testFraction * n)} and
 * {@code nTrain = floor(trainFraction * n)}, or {@code n - nTest} when no training fraction is
 * given. Split {@code s} takes the next {@link Generator#permutation(int)} of one {@link
 * Generator} seeded with {@code seed}: its first {@code nTest} entries test, the following {@code
 * nTrain} train (both returned ascending). The same seed gives the same splits; scikit-learn's
 * draws from NumPy's generator are not reproduced.
 */
public final class ShuffleSplit implements IndexSplitter {
    private final int nSplits;
    private final double testFraction;
    private final double trainFraction;
    private final long seed;

    /** Creates a shuffle splitter whose training set is everything not tested; see {@link #ShuffleSplit(int, double, double, long)}. */
    public ShuffleSplit(int nSplits, double testFraction, long seed) {
        this(nSplits, testFraction, Double.NaN, seed);
    }

    /**
     * Creates a shuffle splitter.
     *
     * @param nSplits       the number of splits, at least 1
     * @param testFraction  the fraction of examples tested, in (0, 1)
     * @param trainFraction the fraction trained on, in (0, 1) with {@code testFraction +
     *                      trainFraction <= 1}, or NaN for all examples not tested
     * @param seed          the seed of the shuffles
     * @throws IllegalArgumentException if an argument is out of range
     */
    public ShuffleSplit(int nSplits, double testFraction, double trainFraction, long seed) {
        checkSizes("ShuffleSplit", nSplits, testFraction, trainFraction);
        this.nSplits = nSplits;
        this.testFraction = testFraction;
        this.trainFraction = trainFraction;
        this.seed = seed;
    }

    /** Validates the arguments shared with {@link StratifiedShuffleSplit}. */
    static void checkSizes(String who, int nSplits, double testFraction, double trainFraction) {
        if (nSplits < 1) {
            throw new IllegalArgumentException(who + ": nSplits must be at least 1, got " + nSplits);
        }
        Splits.checkFraction(who, "testFraction", testFraction);
        if (!Double.isNaN(trainFraction)) {
            Splits.checkFraction(who, "trainFraction", trainFraction);
            if (testFraction + trainFraction > 1) {
                throw new IllegalArgumentException(who + ": testFraction + trainFraction = " + (testFraction + trainFraction)
                        + " exceeds 1; reduce one of them");
            }
        }
    }

    /**
     * Returns {@code {nTrain, nTest}} for {@code n} examples, as scikit-learn's {@code
     * _validate_shuffle_split}.
     *
     * @throws IllegalArgumentException if the training or test set would be empty
     */
    static int[] sizes(String who, int n, double testFraction, double trainFraction) {
        int nTest = (int) Math.ceil(testFraction * n);
        int nTrain = Double.isNaN(trainFraction) ? n - nTest : (int) Math.floor(trainFraction * n);
        if (nTrain <= 0 || nTest <= 0 || nTrain + nTest > n) {
            throw new IllegalArgumentException(who + ": with n=" + n + " examples, testFraction=" + testFraction
                    + (Double.isNaN(trainFraction) ? "" : " and trainFraction=" + trainFraction) + " give " + nTrain
                    + " training and " + nTest + " test examples; both must be at least 1");
        }
        return new int[] {nTrain, nTest};
    }

    /**
     * Returns the {@code nSplits} random splits of {@code n} examples.
     *
     * @throws IllegalArgumentException if the training or test set would be empty
     */
    @Override
    public List<Fold> split(int n) {
        int[] size = sizes("ShuffleSplit", n, testFraction, trainFraction);
        Generator g = new Generator(seed);
        List<Fold> folds = new ArrayList<>(nSplits);
        for (int s = 0; s < nSplits; s++) {
            int[] perm = g.permutation(n);
            folds.add(new Fold(Splits.sortedRange(perm, size[1], size[1] + size[0]), Splits.sortedRange(perm, 0, size[1])));
        }
        return folds;
    }

    @Override
    public String toString() {
        return "ShuffleSplit(nSplits=" + nSplits + ", testFraction=" + testFraction
                + (Double.isNaN(trainFraction) ? "" : ", trainFraction=" + trainFraction) + ", seed=" + seed + ")";
    }
}
