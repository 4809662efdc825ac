package dev.tessera.nn.selection;

import dev.tessera.Generator;
import java.util.ArrayList;
import java.util.List;

/**
 * Repeated stratified k-fold: {@link StratifiedKFold} with shuffling, run {@code nRepeats} times,
 * giving {@code k * nRepeats} folds repeat by repeat (as scikit-learn's {@code
 * RepeatedStratifiedKFold}). Repeat {@code r} shuffles with the seed given by the {@code r}-th
 * {@link Generator#nextLong()} of a {@link Generator} seeded with {@code seed}.
 */
public final class RepeatedStratifiedKFold implements LabelSplitter {
    private final int k;
    private final int nRepeats;
    private final long seed;

    /**
     * Creates a repeated stratified k-fold splitter.
     *
     * @param k        the number of folds per repeat, at least 2
     * @param nRepeats the number of repeats, at least 1
     * @param seed     the seed the repeats' shuffles derive from
     * @throws IllegalArgumentException if {@code k < 2} or {@code nRepeats < 1}
     */
    public RepeatedStratifiedKFold(int k, int nRepeats, long seed) {
        Splits.checkFolds("RepeatedStratifiedKFold", k);
        RepeatedKFold.checkRepeats("RepeatedStratifiedKFold", nRepeats);
        this.k = k;
        this.nRepeats = nRepeats;
        this.seed = seed;
    }

    /**
     * Returns the {@code k * nRepeats} stratified folds of the examples labelled {@code labels} (not
     * modified); within each repeat every index is tested exactly once.
     *
     * @throws IllegalArgumentException as {@link StratifiedKFold#split(int[])}
     */
    @Override
    public List<Fold> split(int[] labels) {
        Generator seeds = new Generator(seed);
        List<Fold> folds = new ArrayList<>(k * nRepeats);
        for (int r = 0; r < nRepeats; r++) {
            folds.addAll(new StratifiedKFold(k, true, seeds.nextLong()).split(labels));
        }
        return folds;
    }

    @Override
    public String toString() {
        return "RepeatedStratifiedKFold(k=" + k + ", nRepeats=" + nRepeats + ", seed=" + seed + ")";
    }
}
