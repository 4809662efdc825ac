package dev.tessera.nn.selection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Unshuffled folds compared with scikit-learn's, worked out by hand from its documented algorithms
 * (and, where noted, its documentation's own examples). scikit-learn cannot run here; each expected
 * value is derived in the comment beside it. Fold lists are given as test sets: without shuffling,
 * training is always the complement (ascending) except for TimeSeriesSplit, given in full.
 */
class SklearnEquivalenceTest {

    private static void assertTests(int[][] expected, List<Fold> folds, int n) {
        assertEquals(expected.length, folds.size(), "number of folds");
        for (int f = 0; f < expected.length; f++) {
            assertArrayEquals(expected[f], folds.get(f).test(), "test set of fold " + f);
            assertArrayEquals(Splits.complement(expected[f], n), folds.get(f).train(), "training set of fold " + f);
        }
    }

    @Test
    void kFold() {
        // fold_sizes = full(k, n // k); fold_sizes[:n % k] += 1; consecutive blocks.
        assertTests(new int[][] {{0, 1, 2, 3}, {4, 5, 6}, {7, 8, 9}}, new KFold(3).split(10), 10);       // 4, 3, 3
        assertTests(new int[][] {{0, 1, 2}, {3, 4, 5}, {6, 7}, {8, 9}}, new KFold(4).split(10), 10);     // 3, 3, 2, 2
        assertTests(new int[][] {{0, 1}, {2, 3}, {4}, {5}, {6}}, new KFold(5).split(7), 7);              // 2, 2, 1, 1, 1
        // scikit-learn's docstring: KFold(n_splits=2) on 4 samples tests [0 1] then [2 3].
        assertTests(new int[][] {{0, 1}, {2, 3}}, new KFold(2).split(4), 4);
    }

    @Test
    void stratifiedKFoldDocstringExample() {
        // StratifiedKFold(n_splits=2) on y = [0, 0, 1, 1]: Fold 0 tests [0 2], Fold 1 tests [1 3].
        assertTests(new int[][] {{0, 2}, {1, 3}}, new StratifiedKFold(2).split(new int[] {0, 0, 1, 1}), 4);
    }

    @Test
    void stratifiedKFoldAllocatesRoundRobinThenInBlocks() {
        // y = [0 0 0 0 1 1 1 1 1 1], k = 3. Sorted codes dealt round-robin: fold 0 gets positions 0, 3, 6, 9 ->
        // classes (0, 0, 1, 1); fold 1 gets 1, 4, 7 -> (0, 1, 1); fold 2 gets 2, 5, 8 -> (0, 1, 1).
        // Class 0 (samples 0-3) -> folds [0 0 1 2]; class 1 (samples 4-9) -> folds [0 0 1 1 2 2].
        int[] y = {0, 0, 0, 0, 1, 1, 1, 1, 1, 1};
        assertTests(new int[][] {{0, 1, 4, 5}, {2, 6, 7}, {3, 8, 9}}, new StratifiedKFold(3).split(y), 10);
    }

    @Test
    void stratifiedKFoldNumbersClassesByFirstAppearance() {
        // y = [2 2 1 1 1 2 0 0 2 1 1 2], k = 3. Codes by first appearance: 2 -> 0 (5 samples), 1 -> 1 (5), 0 -> 2 (2).
        // Sorted codes [0 0 0 0 0 1 1 1 1 1 2 2] dealt to folds j % 3:
        //   code 0 at j = 0..4 -> folds 0 1 2 0 1: allocation (2, 2, 1)
        //   code 1 at j = 5..9 -> folds 2 0 1 2 0: allocation (2, 1, 2)
        //   code 2 at j = 10, 11 -> folds 1 2:    allocation (0, 1, 1)
        // Label 2 (samples 0 1 5 8 11) -> folds 0 0 1 1 2; label 1 (samples 2 3 4 9 10) -> 0 0 1 2 2;
        // label 0 (samples 6 7) -> 1 2.
        int[] y = {2, 2, 1, 1, 1, 2, 0, 0, 2, 1, 1, 2};
        assertTests(new int[][] {{0, 1, 2, 3}, {4, 5, 6, 8}, {7, 9, 10, 11}}, new StratifiedKFold(3).split(y), 12);
    }

    @Test
    void stratifiedKFoldWithAClassSmallerThanK() {
        // y = [1 0 1 1 0 2 1 0 2 1 1], k = 4 (class 2 has 2 < 4 members: uneven, warned, allowed).
        // Codes: 1 -> 0 (6), 0 -> 1 (3), 2 -> 2 (2). Sorted codes at j = 0..10, fold j % 4:
        //   code 0 at j = 0..5 -> 0 1 2 3 0 1: (2, 2, 1, 1); code 1 at 6..8 -> 2 3 0: (1, 0, 1, 1);
        //   code 2 at 9, 10 -> 1 2: (0, 1, 1, 0).
        // Label 1 (samples 0 2 3 6 9 10) -> 0 0 1 1 2 3; label 0 (1 4 7) -> 0 2 3; label 2 (5 8) -> 1 2.
        int[] y = {1, 0, 1, 1, 0, 2, 1, 0, 2, 1, 1};
        assertTests(new int[][] {{0, 1, 2}, {3, 5, 6}, {4, 8, 9}, {7, 10}}, new StratifiedKFold(4).split(y), 11);
    }

    @Test
    void groupKFoldDocstringExample() {
        // GroupKFold(n_splits=2), groups [0 0 2 2 3 3]: Fold 0 tests [0 1 4 5] (groups 0, 3), Fold 1 tests [2 3].
        // (Three groups of 2: taken as 3, 2, 0; 3 -> fold 0, 2 -> fold 1, 0 -> fold 0, the first lightest.)
        assertTests(new int[][] {{0, 1, 4, 5}, {2, 3}}, new GroupKFold(2).split(new int[] {0, 0, 2, 2, 3, 3}), 6);
    }

    @Test
    void groupKFoldPutsTheLargestGroupsInTheLightestFold() {
        // groups [5 5 5 5 1 1 1 7 7 3]: sizes 5:4, 1:3, 7:2, 3:1. 5 -> fold 0 (4), 1 -> fold 1 (3),
        // 7 -> fold 1 (3 < 4; now 5), 3 -> fold 0 (4 < 5).
        assertTests(new int[][] {{0, 1, 2, 3, 9}, {4, 5, 6, 7, 8}},
                new GroupKFold(2).split(new int[] {5, 5, 5, 5, 1, 1, 1, 7, 7, 3}), 10);
        // groups [4 4 4 9 9 9 9 9 2 2 6 1 1 1 1 1 1], k = 3: sizes 1:6, 9:5, 4:3, 2:2, 6:1.
        // 1 -> f0 (6), 9 -> f1 (5), 4 -> f2 (3), 2 -> f2 (5), 6 -> f1 (first of the lightest 5, 5).
        assertTests(new int[][] {{11, 12, 13, 14, 15, 16}, {3, 4, 5, 6, 7, 10}, {0, 1, 2, 8, 9}},
                new GroupKFold(3).split(new int[] {4, 4, 4, 9, 9, 9, 9, 9, 2, 2, 6, 1, 1, 1, 1, 1, 1}), 17);
    }

    @Test
    void leaveOneOutAndLeavePOut() {
        assertTests(new int[][] {{0}, {1}, {2}}, new LeaveOneOut().split(3), 3);
        // scikit-learn's docstring: LeavePOut(2) on 4 samples tests [0 1] [0 2] [0 3] [1 2] [1 3] [2 3].
        assertTests(new int[][] {{0, 1}, {0, 2}, {0, 3}, {1, 2}, {1, 3}, {2, 3}}, new LeavePOut(2).split(4), 4);
    }

    private static void assertTimeSeries(int[][][] expected, List<Fold> folds) {
        assertEquals(expected.length, folds.size(), "number of folds");
        for (int f = 0; f < expected.length; f++) {
            assertArrayEquals(expected[f][0], folds.get(f).train(), "training set of fold " + f);
            assertArrayEquals(expected[f][1], folds.get(f).test(), "test set of fold " + f);
        }
    }

    @Test
    void timeSeriesSplitDocstringExamples() {
        // TimeSeriesSplit() (5 splits) on 6 samples: test size 6 // 6 = 1, test starts range(1, 6, 1).
        assertTimeSeries(new int[][][] {{{0}, {1}}, {{0, 1}, {2}}, {{0, 1, 2}, {3}}, {{0, 1, 2, 3}, {4}},
                {{0, 1, 2, 3, 4}, {5}}}, new TimeSeriesSplit(5).split(6));
        // TimeSeriesSplit(n_splits=3, test_size=2, gap=2) on 12 samples: starts range(6, 12, 2), train ends 4, 6, 8.
        assertTimeSeries(new int[][][] {{{0, 1, 2, 3}, {6, 7}}, {{0, 1, 2, 3, 4, 5}, {8, 9}},
                {{0, 1, 2, 3, 4, 5, 6, 7}, {10, 11}}}, new TimeSeriesSplit(3).withTestSize(2).withGap(2).split(12));
        // TimeSeriesSplit(n_splits=3, test_size=2) on 12 samples: starts 6, 8, 10.
        assertTimeSeries(new int[][][] {{{0, 1, 2, 3, 4, 5}, {6, 7}}, {{0, 1, 2, 3, 4, 5, 6, 7}, {8, 9}},
                {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {10, 11}}}, new TimeSeriesSplit(3, 0, 0, 2).split(12));
    }

    @Test
    void timeSeriesSplitWithMaximumTrainingSize() {
        // 10 samples, 3 splits: test size 10 // 4 = 2, starts range(4, 10, 2) = 4, 6, 8 (sample 0..3 only trained on).
        assertTimeSeries(new int[][][] {{{0, 1, 2, 3}, {4, 5}}, {{0, 1, 2, 3, 4, 5}, {6, 7}},
                {{0, 1, 2, 3, 4, 5, 6, 7}, {8, 9}}}, new TimeSeriesSplit(3).split(10));
        // gap 1, max_train_size 3: train ends 3, 5, 7; the last 3 before each end.
        assertTimeSeries(new int[][][] {{{0, 1, 2}, {4, 5}}, {{2, 3, 4}, {6, 7}}, {{4, 5, 6}, {8, 9}}},
                new TimeSeriesSplit(3).withGap(1).withMaxTrainSize(3).split(10));
        // 6 samples, 3 splits, max 2: test size 1, starts 3, 4, 5.
        assertTimeSeries(new int[][][] {{{1, 2}, {3}}, {{2, 3}, {4}}, {{3, 4}, {5}}},
                new TimeSeriesSplit(3).withMaxTrainSize(2).split(6));
    }
}
