package dev.tessera.nn.selection;

import dev.tessera.nn.data.Dataset;
import java.util.Arrays;
import java.util.List;

/**
 * K-fold cross-validation that never puts examples of the same group (a patient, a user, a
 * recording session) on both sides of a split, so the test score measures generalisation to new
 * groups. Groups are any int ids, one per example.
 *
 * <p>The folds are those of scikit-learn's {@code GroupKFold(n_splits=k)} (without shuffling), in
 * the same order, following its algorithm: groups are taken from largest to smallest and each is
 * added to the fold holding the fewest examples so far (the first such fold on a tie); fold {@code
 * f} then tests the examples of its groups. Groups of equal size are taken larger group id first
 * (NumPy's stable {@code argsort} reversed); scikit-learn uses NumPy's default, unstable {@code
 * argsort} there, whose order of equal sizes depends on the platform, so for ties of group size
 * scikit-learn's own folds may differ between machines. Training and test indices are ascending.
 *
 * <p>{@link #split(int[])} takes the groups directly; to pass this splitter to {@link
 * CrossValidation}, bind the groups with {@link #withGroups(int[])}.
 */
public final class GroupKFold {
    private final int k;

    /**
     * Creates a group k-fold splitter.
     *
     * @param k the number of folds, at least 2
     * @throws IllegalArgumentException if {@code k < 2}
     */
    public GroupKFold(int k) {
        Splits.checkFolds("GroupKFold", k);
        this.k = k;
    }

    /** Returns the number of folds. */
    public int k() {
        return k;
    }

    /**
     * Returns the {@code k} folds of the examples whose groups are {@code groups} (not modified): no
     * group is on both sides of a fold.
     *
     * @throws IllegalArgumentException if {@code groups} is null or holds fewer than {@code k} distinct groups
     */
    public List<Fold> split(int[] groups) {
        Splits.checkNotNull("GroupKFold", "groups", groups);
        Splits.Classes g = Splits.sorted(groups);
        if (k > g.size()) {
            throw new IllegalArgumentException("GroupKFold: cannot have k=" + k + " folds with only " + g.size()
                    + " distinct groups (a group is never split between folds)");
        }
        int[] counts = g.counts();
        // Group codes by size, largest first; equal sizes larger code first (stable argsort, reversed).
        Integer[] order = new Integer[g.size()];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, (a, b) -> counts[a] != counts[b] ? Integer.compare(counts[b], counts[a]) : Integer.compare(b, a));
        long[] weight = new long[k];
        int[] foldOfGroup = new int[g.size()];
        for (int group : order) {
            int lightest = 0;
            for (int f = 1; f < k; f++) {
                if (weight[f] < weight[lightest]) {
                    lightest = f;
                }
            }
            weight[lightest] += counts[group];
            foldOfGroup[group] = lightest;
        }
        int[] foldOf = new int[groups.length];
        for (int i = 0; i < groups.length; i++) {
            foldOf[i] = foldOfGroup[g.codes()[i]];
        }
        return Splits.fromAssignment(foldOf, k);
    }

    /**
     * Returns a {@link Splitter} that splits a dataset whose example {@code i} belongs to group
     * {@code groups[i]} (copied). Its {@link Splitter#onSubset(int[])} selects the groups of the
     * chosen examples, so it works in nested cross-validation.
     *
     * @throws IllegalArgumentException if {@code groups} is null
     */
    public Splitter withGroups(int[] groups) {
        Splits.checkNotNull("GroupKFold.withGroups", "groups", groups);
        return new Bound(this, groups.clone());
    }

    @Override
    public String toString() {
        return "GroupKFold(k=" + k + ")";
    }

    /** A group k-fold splitter with the groups of a dataset's examples. */
    private record Bound(GroupKFold splitter, int[] groups) implements Splitter {
        @Override
        public List<Fold> split(Dataset data) {
            if (data.size() != groups.length) {
                throw new IllegalArgumentException("GroupKFold: the dataset has " + data.size() + " examples but "
                        + groups.length + " groups were given");
            }
            return splitter.split(groups);
        }

        @Override
        public Splitter onSubset(int[] indices) {
            int[] selected = new int[indices.length];
            for (int i = 0; i < indices.length; i++) {
                if (indices[i] < 0 || indices[i] >= groups.length) {
                    throw new IllegalArgumentException("GroupKFold.onSubset: index " + indices[i]
                            + " is out of range for " + groups.length + " groups");
                }
                selected[i] = groups[indices[i]];
            }
            return new Bound(splitter, selected);
        }

        @Override
        public String toString() {
            return splitter + " over " + groups.length + " examples";
        }
    }
}
