package dev.tessera.nn.selection;

import dev.tessera.Generator;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stratified k-fold cross-validation: like {@link KFold}, but every fold keeps the class
 * proportions of the whole dataset as nearly as the counts allow.
 *
 * <p>The folds are exactly those of scikit-learn's {@code StratifiedKFold(n_splits=k)} (version
 * 0.24 and later) without shuffling, in the same order, following its algorithm: classes are
 * numbered in order of first appearance in the labels; the labels sorted by that number are dealt
 * round-robin into the {@code k} folds, which fixes how many examples of each class each fold
 * tests; then the examples of each class, in index order, fill fold 0's share first, then fold
 * 1's, and so on (blocks, which keeps the data order as far as possible). With shuffling, each
 * class's sequence of fold numbers is permuted with a {@link Generator} seeded with {@code seed}
 * (one generator, classes in order), as scikit-learn permutes it with its random state. Training
 * and test indices are ascending.
 *
 * <p>A class with fewer than {@code k} examples cannot appear in every test fold: that is only
 * uneven and logs a warning (as scikit-learn warns); when every class is smaller than {@code k},
 * the split is refused.
 */
public final class StratifiedKFold implements LabelSplitter {
    private static final Logger LOG = LoggerFactory.getLogger(StratifiedKFold.class);

    private final int k;
    private final boolean shuffle;
    private final long seed;

    /** Creates an unshuffled stratified k-fold splitter; see {@link #StratifiedKFold(int, boolean, long)}. */
    public StratifiedKFold(int k) {
        this(k, false, 0);
    }

    /**
     * Creates a stratified k-fold splitter.
     *
     * @param k       the number of folds, at least 2
     * @param shuffle whether to shuffle each class's examples among the folds
     * @param seed    the seed of the shuffle (ignored without shuffling)
     * @throws IllegalArgumentException if {@code k < 2}
     */
    public StratifiedKFold(int k, boolean shuffle, long seed) {
        Splits.checkFolds("StratifiedKFold", k);
        this.k = k;
        this.shuffle = shuffle;
        this.seed = seed;
    }

    /** Returns the number of folds. */
    public int k() {
        return k;
    }

    /**
     * Returns the {@code k} stratified folds of the examples labelled {@code labels} (not modified).
     *
     * @throws IllegalArgumentException if {@code labels} is null, {@code k} exceeds the number of
     *                                  examples or every class has fewer than {@code k} examples
     */
    @Override
    public List<Fold> split(int[] labels) {
        return Splits.fromAssignment(testFolds("StratifiedKFold", labels, k, shuffle ? new Generator(seed) : null), k);
    }

    /**
     * Returns the test fold of every example, scikit-learn's {@code _make_test_folds}; {@code rng}
     * null means no shuffling. Shared with {@link RepeatedStratifiedKFold}.
     */
    static int[] testFolds(String who, int[] labels, int k, Generator rng) {
        Splits.checkNotNull(who, "labels", labels);
        Splits.checkFoldsVsExamples(who, k, labels.length);
        Splits.Classes classes = Splits.byAppearance(labels);
        int[] counts = classes.counts();
        if (Arrays.stream(counts).allMatch(c -> c < k)) {
            throw new IllegalArgumentException(who + ": k=" + k + " cannot be greater than the number of members in"
                    + " every class; class sizes " + describe(classes));
        }
        if (classes.minCount() < k) {
            LOG.warn("{}: the least populated class in the labels has only {} members, fewer than k={}: it cannot"
                    + " appear in every test fold (class sizes {})", who, classes.minCount(), k, describe(classes));
        }
        int c = classes.size();
        // allocation[f][cls]: examples of class cls in test fold f, from dealing the sorted codes round-robin.
        int[][] allocation = new int[k][c];
        int position = 0;
        for (int cls = 0; cls < c; cls++) {
            for (int j = 0; j < counts[cls]; j++) {
                allocation[position % k][cls]++;
                position++;
            }
        }
        int[] foldOf = new int[labels.length];
        int[] codes = classes.codes();
        for (int cls = 0; cls < c; cls++) {
            int[] foldsForClass = new int[counts[cls]];
            int p = 0;
            for (int f = 0; f < k; f++) {
                for (int j = 0; j < allocation[f][cls]; j++) {
                    foldsForClass[p++] = f;
                }
            }
            if (rng != null) {
                int[] perm = rng.permutation(foldsForClass.length);
                int[] shuffled = new int[perm.length];
                for (int i = 0; i < perm.length; i++) {
                    shuffled[i] = foldsForClass[perm[i]];
                }
                foldsForClass = shuffled;
            }
            p = 0;
            for (int i = 0; i < labels.length; i++) {
                if (codes[i] == cls) {
                    foldOf[i] = foldsForClass[p++];
                }
            }
        }
        return foldOf;
    }

    /** Returns {@code {label=count, ...}} in order of appearance. */
    static String describe(Splits.Classes classes) {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < classes.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(classes.values()[i]).append('=').append(classes.counts()[i]);
        }
        return sb.append('}').toString();
    }

    @Override
    public String toString() {
        return "StratifiedKFold(k=" + k + (shuffle ? ", shuffle, seed=" + seed : "") + ")";
    }
}
