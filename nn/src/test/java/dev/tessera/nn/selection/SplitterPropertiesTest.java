package dev.tessera.nn.selection;

import static dev.tessera.nn.selection.SplitterContractTest.GROUPS;
import static dev.tessera.nn.selection.SplitterContractTest.LABELS;
import static dev.tessera.nn.selection.SplitterContractTest.N;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.Generator;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Sizes, class proportions, groups and time order, as each splitter documents them. */
class SplitterPropertiesTest {

    @ParameterizedTest(name = "shuffle={0}")
    @ValueSource(booleans = {false, true})
    void kFoldGivesTheFirstNModKFoldsOneMoreExample(boolean shuffle) {
        List<Fold> folds = new KFold(5, shuffle, 3).split(N); // 23 = 4 * 5 + 3
        assertArrayEquals(new int[] {5, 5, 5, 4, 4}, folds.stream().mapToInt(Fold::testSize).toArray());
        assertArrayEquals(new int[] {18, 18, 18, 19, 19}, folds.stream().mapToInt(Fold::trainSize).toArray());
    }

    @ParameterizedTest(name = "shuffle={0}")
    @ValueSource(booleans = {false, true})
    void stratifiedKFoldKeepsClassProportionsInEveryFold(boolean shuffle) {
        // Classes of 10, 8 and 5 examples in 4 folds: each fold tests 2-3, 2 and 1-2 of them.
        List<Fold> folds = new StratifiedKFold(4, shuffle, 9).split(LABELS);
        for (Fold f : folds) {
            int[] test = classCounts(f.test());
            int[] train = classCounts(f.train());
            for (int c = 0; c < 3; c++) {
                int total = test[c] + train[c];
                assertTrue(test[c] == total / 4 || test[c] == (total + 3) / 4,
                        "class " + c + " of " + total + " has " + test[c] + " test examples in " + f);
            }
        }
        // The class mix of a larger random dataset stays within one example of the exact share.
        int[] labels = new int[1000];
        Generator g = new Generator(5);
        for (int i = 0; i < labels.length; i++) {
            labels[i] = g.nextDouble() < 0.1 ? 2 : g.nextDouble() < 0.4 ? 1 : 0;
        }
        int[] all = new int[3];
        Arrays.stream(labels).forEach(y -> all[y]++);
        for (Fold f : new StratifiedKFold(7, shuffle, 1).split(labels)) {
            int[] counts = new int[3];
            Arrays.stream(f.test()).forEach(i -> counts[labels[i]]++);
            for (int c = 0; c < 3; c++) {
                assertTrue(Math.abs(counts[c] - all[c] / 7.0) < 1, "class " + c + ": " + counts[c] + " of " + all[c]);
            }
        }
    }

    @Test
    void stratifiedShuffleSplitDealsEveryClassProportionally() {
        // Classes 10, 8, 5; test ceil(0.3 * 23) = 7, train 16. Train shares 6.96, 5.57, 3.48 -> 7, 6, 3 (floors 6, 5, 3,
        // one more to each of the two largest remainders); left 3, 2, 2 of which test takes 7 * (3, 2, 2) / 7.
        for (Fold f : new StratifiedShuffleSplit(5, 0.3, 4).split(LABELS)) {
            assertArrayEquals(new int[] {7, 6, 3}, classCounts(f.train()), f.toString());
            assertArrayEquals(new int[] {3, 2, 2}, classCounts(f.test()), f.toString());
        }
    }

    @Test
    void shuffleSplitSizesFollowScikitLearn() {
        for (Fold f : new ShuffleSplit(3, 0.3, 1).split(N)) {
            assertEquals(7, f.testSize()); // ceil(6.9)
            assertEquals(16, f.trainSize());
        }
        for (Fold f : new ShuffleSplit(3, 0.2, 0.5, 1).split(N)) {
            assertEquals(5, f.testSize()); // ceil(4.6)
            assertEquals(11, f.trainSize()); // floor(11.5)
        }
    }

    @Test
    void groupKFoldNeverSplitsAGroupAndBalancesFolds() {
        List<Fold> folds = new GroupKFold(3).split(GROUPS);
        for (Fold f : folds) {
            Set<Integer> trainGroups = new HashSet<>();
            Arrays.stream(f.train()).forEach(i -> trainGroups.add(GROUPS[i]));
            for (int i : f.test()) {
                assertFalse(trainGroups.contains(GROUPS[i]), "group " + GROUPS[i] + " on both sides of " + f);
            }
        }
        // Sizes 6, 5, 4, 3, 2, 2, 1, each to the lightest fold: {6, 2}, {5, 2, 1}, {4, 3} -> 8, 8, 7 examples.
        assertArrayEquals(new int[] {8, 8, 7}, folds.stream().mapToInt(Fold::testSize).toArray());
    }

    @Test
    void groupKFoldBoundToADatasetSplitsSubsetsByTheirOwnGroups() {
        Splitter bound = new GroupKFold(2).withGroups(GROUPS);
        int[] subset = {0, 1, 2, 3, 4, 11, 12, 22};       // groups 3, 3, 1, 1, 1, 4, 4, 2
        Splitter inner = bound.onSubset(subset);
        List<Fold> folds = inner.split(new dev.tessera.nn.data.TensorDataset(dev.tessera.Tensor.zeros(8, 1),
                dev.tessera.Tensor.zeros(8)));
        assertEquals(new GroupKFold(2).split(new int[] {3, 3, 1, 1, 1, 4, 4, 2}), folds);
        assertThrows(IllegalArgumentException.class, () -> bound.split(new dev.tessera.nn.data.TensorDataset(
                dev.tessera.Tensor.zeros(5, 1), dev.tessera.Tensor.zeros(5))));
    }

    @Test
    void timeSeriesSplitTrainsOnlyOnThePastAndHonoursGapAndMaximum() {
        TimeSeriesSplit split = new TimeSeriesSplit(4).withGap(2).withMaxTrainSize(5);
        List<Fold> folds = split.split(N); // test size 23 / 5 = 4
        assertEquals(4, folds.size());
        int previousStart = -1;
        for (Fold f : folds) {
            int lastTrain = f.train()[f.trainSize() - 1];
            int firstTest = f.test()[0];
            assertEquals(2, firstTest - lastTrain - 1, "gap in " + f);
            assertTrue(f.trainSize() <= 5, "maximum training size in " + f);
            assertEquals(4, f.testSize());
            assertTrue(firstTest > previousStart, "folds move forward in time");
            previousStart = firstTest;
        }
        assertEquals(N - 1, folds.get(3).test()[3], "the last fold tests the most recent examples");
        for (Fold f : new TimeSeriesSplit(4).split(N)) {
            assertArrayEquals(Splits.range(0, f.test()[0]), f.train(), "without gap or maximum: all of the past");
        }
    }

    @Test
    void leavePOutListsEveryCombinationLazily() {
        List<Fold> folds = new LeavePOut(2).split(N);
        assertEquals(253, folds.size()); // C(23, 2)
        Set<List<Integer>> seen = new HashSet<>();
        for (Fold f : folds) {
            assertEquals(2, f.testSize());
            assertTrue(seen.add(List.of(f.test()[0], f.test()[1])), "duplicate " + f);
        }
        List<Fold> huge = new LeavePOut(3).split(1000); // 166,167,000 folds, built only when read
        assertEquals(166_167_000, huge.size());
        assertArrayEquals(new int[] {997, 998, 999}, huge.get(huge.size() - 1).test());
        assertArrayEquals(new int[] {0, 1, 999}, huge.get(997).test());
        assertArrayEquals(new int[] {0, 2, 3}, huge.get(998).test());
        assertThrows(IllegalArgumentException.class, () -> new LeavePOut(10).split(1000));
    }

    @Test
    void repeatsDifferFromEachOther() {
        List<Fold> folds = new RepeatedKFold(4, 3, 8).split(N);
        assertEquals(12, folds.size());
        assertFalse(folds.subList(0, 4).equals(folds.subList(4, 8)), "repeats shuffle differently");
        List<Fold> strat = new RepeatedStratifiedKFold(4, 2, 8).split(LABELS);
        assertFalse(strat.subList(0, 4).equals(strat.subList(4, 8)), "repeats shuffle differently");
    }

    private static int[] classCounts(int[] indices) {
        int[] counts = new int[3];
        for (int i : indices) {
            counts[LABELS[i]]++;
        }
        return counts;
    }
}
