package dev.tessera.nn.selection;

import dev.tessera.Generator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Stratified Monte Carlo cross-validation: like {@link ShuffleSplit}, but each split keeps the
 * class proportions in both its training and its test set.
 *
 * <p>Follows scikit-learn's {@code StratifiedShuffleSplit}: the sizes are {@link ShuffleSplit}'s;
 * per split, the training count of each class is the "approximate mode" of the multivariate
 * hypergeometric distribution (the floor of its proportional share, the remaining examples going
 * to the classes with the largest remainders, ties broken at random), then the test counts the
 * same way over the examples left; each class's examples are permuted and dealt to train, then
 * test. Randomness comes from one {@link Generator} seeded with {@code seed}; indices are returned
 * ascending.
 */
public final class StratifiedShuffleSplit implements LabelSplitter {
    private final int nSplits;
    private final double testFraction;
    private final double trainFraction;
    private final long seed;

    /** Creates a stratified shuffle splitter training on everything not tested; see {@link #StratifiedShuffleSplit(int, double, double, long)}. */
    public StratifiedShuffleSplit(int nSplits, double testFraction, long seed) {
        this(nSplits, testFraction, Double.NaN, seed);
    }

    /**
     * Creates a stratified shuffle splitter.
     *
     * @param nSplits       the number of splits, at least 1
     * @param testFraction  the fraction of examples tested, in (0, 1)
     * @param trainFraction the fraction trained on, in (0, 1) with {@code testFraction +
     *                      trainFraction <= 1}, or NaN for all examples not tested
     * @param seed          the seed of the shuffles
     * @throws IllegalArgumentException if an argument is out of range
     */
    public StratifiedShuffleSplit(int nSplits, double testFraction, double trainFraction, long seed) {
        ShuffleSplit.checkSizes("StratifiedShuffleSplit", nSplits, testFraction, trainFraction);
        this.nSplits = nSplits;
        this.testFraction = testFraction;
        this.trainFraction = trainFraction;
        this.seed = seed;
    }

    /**
     * Returns the {@code nSplits} stratified random splits of the examples labelled {@code labels}
     * (not modified).
     *
     * @throws IllegalArgumentException if a class has fewer than 2 examples, or the training or test
     *                                  set would hold fewer examples than there are classes
     */
    @Override
    public List<Fold> split(int[] labels) {
        String who = "StratifiedShuffleSplit";
        Splits.checkNotNull(who, "labels", labels);
        int[] size = ShuffleSplit.sizes(who, labels.length, testFraction, trainFraction);
        Splits.Classes classes = Splits.sorted(labels);
        int c = classes.size();
        if (classes.minCount() < 2) {
            throw new IllegalArgumentException(who + ": the least populated class has only " + classes.minCount()
                    + " member; every class needs at least 2 (class sizes " + StratifiedKFold.describe(classes) + ")");
        }
        if (size[0] < c || size[1] < c) {
            throw new IllegalArgumentException(who + ": " + size[0] + " training and " + size[1] + " test examples"
                    + " cannot each hold all " + c + " classes; use larger fractions");
        }
        int[][] members = new int[c][];
        int[] fill = new int[c];
        for (int cls = 0; cls < c; cls++) {
            members[cls] = new int[classes.counts()[cls]];
        }
        for (int i = 0; i < labels.length; i++) {
            int cls = classes.codes()[i];
            members[cls][fill[cls]++] = i;
        }
        Generator g = new Generator(seed);
        List<Fold> folds = new ArrayList<>(nSplits);
        for (int s = 0; s < nSplits; s++) {
            int[] nTrain = approximateMode(classes.counts(), size[0], g);
            int[] remaining = new int[c];
            for (int cls = 0; cls < c; cls++) {
                remaining[cls] = classes.counts()[cls] - nTrain[cls];
            }
            int[] nTest = approximateMode(remaining, size[1], g);
            int[] train = new int[size[0]];
            int[] test = new int[size[1]];
            int a = 0;
            int b = 0;
            for (int cls = 0; cls < c; cls++) {
                int[] perm = g.permutation(members[cls].length);
                for (int j = 0; j < nTrain[cls]; j++) {
                    train[a++] = members[cls][perm[j]];
                }
                for (int j = nTrain[cls]; j < nTrain[cls] + nTest[cls]; j++) {
                    test[b++] = members[cls][perm[j]];
                }
            }
            Arrays.sort(train);
            Arrays.sort(test);
            folds.add(new Fold(train, test));
        }
        return folds;
    }

    /**
     * Returns how many of {@code draws} to take from each class of sizes {@code counts}:
     * scikit-learn's {@code _approximate_mode}, {@code floor(counts / total * draws)} plus one for
     * the classes with the largest remainders, ties broken at random with {@code g}.
     */
    static int[] approximateMode(int[] counts, int draws, Generator g) {
        long total = Arrays.stream(counts).asLongStream().sum();
        int c = counts.length;
        double[] remainder = new double[c];
        int[] out = new int[c];
        int need = draws;
        for (int i = 0; i < c; i++) {
            double continuous = (double) counts[i] / total * draws;
            double floor = Math.floor(continuous);
            out[i] = (int) floor;
            remainder[i] = continuous - floor;
            need -= out[i];
        }
        double[] values = Arrays.stream(remainder).distinct().sorted().toArray();
        for (int v = values.length - 1; v >= 0 && need > 0; v--) {
            double value = values[v];
            int[] tied = java.util.stream.IntStream.range(0, c).filter(i -> remainder[i] == value).toArray();
            int take = Math.min(tied.length, need);
            int[] perm = g.permutation(tied.length);
            for (int j = 0; j < take; j++) {
                out[tied[perm[j]]]++;
            }
            need -= take;
        }
        return out;
    }

    @Override
    public String toString() {
        return "StratifiedShuffleSplit(nSplits=" + nSplits + ", testFraction=" + testFraction
                + (Double.isNaN(trainFraction) ? "" : ", trainFraction=" + trainFraction) + ", seed=" + seed + ")";
    }
}
