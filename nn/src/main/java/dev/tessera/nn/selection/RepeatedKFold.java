package dev.tessera.nn.selection;

import dev.tessera.Generator;
import java.util.ArrayList;
import java.util.List;

/**
 * Repeated k-fold: {@link KFold} with shuffling, run {@code nRepeats} times with different
 * shuffles, giving {@code k * nRepeats} folds (repeat by repeat, as scikit-learn's {@code
 * RepeatedKFold} orders them). Averaging over repeats reduces the variance that one particular
 * partition adds to the estimate. Repeat {@code r} shuffles with the seed given by the {@code
 * r}-th {@link Generator#nextLong()} of a {@link Generator} seeded with {@code seed}.
 */
public final class RepeatedKFold implements IndexSplitter {
    private final int k;
    private final int nRepeats;
    private final long seed;

    /**
     * Creates a repeated k-fold splitter.
     *
     * @param k        the number of folds per repeat, at least 2
     * @param nRepeats the number of repeats, at least 1
     * @param seed     the seed the repeats' shuffles derive from
     * @throws IllegalArgumentException if {@code k < 2} or {@code nRepeats < 1}
     */
    public RepeatedKFold(int k, int nRepeats, long seed) {
        Splits.checkFolds("RepeatedKFold", k);
        checkRepeats("RepeatedKFold", nRepeats);
        this.k = k;
        this.nRepeats = nRepeats;
        this.seed = seed;
    }

    static void checkRepeats(String who, int nRepeats) {
        if (nRepeats < 1) {
            throw new IllegalArgumentException(who + ": nRepeats must be at least 1, got " + nRepeats);
        }
    }

    /**
     * Returns the {@code k * nRepeats} folds of {@code n} examples; within each repeat every index
     * is tested exactly once.
     *
     * @throws IllegalArgumentException if {@code k > n}
     */
    @Override
    public List<Fold> split(int n) {
        Generator seeds = new Generator(seed);
        List<Fold> folds = new ArrayList<>(k * nRepeats);
        for (int r = 0; r < nRepeats; r++) {
            folds.addAll(new KFold(k, true, seeds.nextLong()).split(n));
        }
        return folds;
    }

    @Override
    public String toString() {
        return "RepeatedKFold(k=" + k + ", nRepeats=" + nRepeats + ", seed=" + seed + ")";
    }
}
