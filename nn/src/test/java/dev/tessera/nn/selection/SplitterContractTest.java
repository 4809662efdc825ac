package dev.tessera.nn.selection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.function.LongFunction;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The promises every splitter keeps, checked on inputs where k does not divide n. */
class SplitterContractTest {
    /** 23 examples of 3 classes (sizes 10, 8, 5), interleaved. */
    static final int[] LABELS = {0, 1, 0, 2, 1, 0, 0, 1, 2, 0, 1, 0, 2, 1, 0, 0, 1, 2, 1, 0, 2, 1, 0};
    /** 23 examples in 7 groups of sizes 1 to 6. */
    static final int[] GROUPS = {3, 3, 1, 1, 1, 9, 9, 9, 9, 9, 9, 4, 4, 4, 4, 8, 8, 7, 7, 7, 7, 7, 2};
    static final int N = LABELS.length;

    /**
     * A splitter under test.
     *
     * @param name           shown in the test name
     * @param folds          the folds of the 23 examples for a seed
     * @param repeatSize     folds per complete partition (every index tested once per repeat), 0 if none promised
     * @param seeded         whether different seeds should give different folds
     */
    record Case(String name, LongFunction<List<Fold>> folds, int repeatSize, boolean seeded) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("KFold(5)", s -> new KFold(5).split(N), 5, false),
                new Case("KFold(4, shuffle)", s -> new KFold(4, true, s).split(N), 4, true),
                new Case("StratifiedKFold(4)", s -> new StratifiedKFold(4).split(LABELS), 4, false),
                new Case("StratifiedKFold(5, shuffle)", s -> new StratifiedKFold(5, true, s).split(LABELS), 5, true),
                new Case("GroupKFold(3)", s -> new GroupKFold(3).split(GROUPS), 3, false),
                new Case("LeaveOneOut", s -> new LeaveOneOut().split(N), N, false),
                new Case("LeavePOut(2)", s -> new LeavePOut(2).split(N), 0, false),
                new Case("ShuffleSplit(6, 0.3)", s -> new ShuffleSplit(6, 0.3, s).split(N), 0, true),
                new Case("ShuffleSplit(4, 0.2, train 0.5)", s -> new ShuffleSplit(4, 0.2, 0.5, s).split(N), 0, true),
                new Case("StratifiedShuffleSplit(5, 0.3)", s -> new StratifiedShuffleSplit(5, 0.3, s).split(LABELS), 0, true),
                new Case("RepeatedKFold(3, 2)", s -> new RepeatedKFold(3, 2, s).split(N), 3, true),
                new Case("RepeatedStratifiedKFold(4, 3)", s -> new RepeatedStratifiedKFold(4, 3, s).split(LABELS), 4, true),
                new Case("TimeSeriesSplit(4)", s -> new TimeSeriesSplit(4).split(N), 0, false),
                new Case("TimeSeriesSplit(3, gap 2, max train 6)", s -> new TimeSeriesSplit(3).withGap(2).withMaxTrainSize(6)
                        .split(N), 0, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void trainAndTestAreDisjointSortedAndInRange(Case c) {
        for (Fold f : c.folds().apply(1)) {
            assertTrue(f.testSize() > 0 && f.trainSize() > 0, c + ": " + f);
            assertStrictlyIncreasingInRange(f.train());
            assertStrictlyIncreasingInRange(f.test());
            boolean[] inTest = new boolean[N];
            Arrays.stream(f.test()).forEach(i -> inTest[i] = true);
            for (int i : f.train()) {
                assertFalse(inTest[i], c + ": index " + i + " is on both sides of " + f);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void everyIndexIsTestedExactlyOncePerRepeatWhereTheMethodPromisesIt(Case c) {
        List<Fold> folds = c.folds().apply(1);
        if (c.repeatSize() == 0) {
            return; // shuffle splits, leave-p-out and time series do not promise it
        }
        assertEquals(0, folds.size() % c.repeatSize());
        for (int start = 0; start < folds.size(); start += c.repeatSize()) {
            int[] tested = new int[N];
            for (Fold f : folds.subList(start, start + c.repeatSize())) {
                for (int i : f.test()) {
                    tested[i]++;
                }
                assertEquals(N, f.trainSize() + f.testSize(), c + ": train and test together cover the data");
            }
            int[] once = new int[N];
            Arrays.fill(once, 1);
            assertArrayEquals(once, tested, c + ": test counts per index");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theSameSeedGivesTheSameFoldsAndAnotherSeedOthers(Case c) {
        assertEquals(c.folds().apply(42), c.folds().apply(42), c.toString());
        if (c.seeded()) {
            assertNotEquals(c.folds().apply(42), c.folds().apply(43), c + ": seeds 42 and 43 gave the same folds");
        } else {
            assertEquals(c.folds().apply(42), c.folds().apply(43), c + ": an unshuffled splitter ignores the seed");
        }
    }

    private static void assertStrictlyIncreasingInRange(int[] a) {
        for (int i = 0; i < a.length; i++) {
            assertTrue(a[i] >= 0 && a[i] < N, "index " + a[i] + " out of range");
            assertTrue(i == 0 || a[i] > a[i - 1], "indices not strictly increasing: " + Arrays.toString(a));
        }
    }
}
