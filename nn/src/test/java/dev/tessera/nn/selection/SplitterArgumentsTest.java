package dev.tessera.nn.selection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Impossible splits throw with a message naming the bad value; merely uneven ones log a warning, as scikit-learn. */
class SplitterArgumentsTest {

    static Stream<Arguments> impossible() {
        return Stream.of(
                Arguments.of("KFold k < 2", (Executable) () -> new KFold(1), "k=1"),
                Arguments.of("KFold k > n", (Executable) () -> new KFold(5).split(3), "k=5 folds with only n=3"),
                Arguments.of("StratifiedKFold k < 2", (Executable) () -> new StratifiedKFold(0, true, 1), "k=0"),
                Arguments.of("StratifiedKFold k > n", (Executable) () -> new StratifiedKFold(4).split(new int[] {0, 1, 0}),
                        "k=4 folds with only n=3"),
                Arguments.of("StratifiedKFold every class < k", (Executable) () -> new StratifiedKFold(3)
                        .split(new int[] {0, 0, 1, 1, 2}), "k=3 cannot be greater than the number of members in every class"),
                Arguments.of("GroupKFold groups < k", (Executable) () -> new GroupKFold(3).split(new int[] {1, 1, 2, 2}),
                        "k=3 folds with only 2 distinct groups"),
                Arguments.of("GroupKFold null groups", (Executable) () -> new GroupKFold(2).split(null), "groups"),
                Arguments.of("LeaveOneOut n = 1", (Executable) () -> new LeaveOneOut().split(1), "n=1"),
                Arguments.of("LeavePOut p >= n", (Executable) () -> new LeavePOut(3).split(3), "p=3"),
                Arguments.of("LeavePOut p < 1", (Executable) () -> new LeavePOut(0), "p=0"),
                Arguments.of("ShuffleSplit test fraction 0", (Executable) () -> new ShuffleSplit(3, 0.0, 1), "got 0.0"),
                Arguments.of("ShuffleSplit test fraction 1", (Executable) () -> new ShuffleSplit(3, 1.0, 1), "got 1.0"),
                Arguments.of("ShuffleSplit test fraction 1.5", (Executable) () -> new ShuffleSplit(3, 1.5, 1), "got 1.5"),
                Arguments.of("ShuffleSplit test fraction NaN", (Executable) () -> new ShuffleSplit(3, Double.NaN, 1), "NaN"),
                Arguments.of("ShuffleSplit fractions over 1", (Executable) () -> new ShuffleSplit(3, 0.5, 0.6, 1), "exceeds 1"),
                Arguments.of("ShuffleSplit nSplits 0", (Executable) () -> new ShuffleSplit(0, 0.5, 1), "got 0"),
                Arguments.of("ShuffleSplit empty training set", (Executable) () -> new ShuffleSplit(2, 0.9, 1).split(3),
                        "0 training"),
                Arguments.of("StratifiedShuffleSplit test fraction -0.1", (Executable) () -> new StratifiedShuffleSplit(2, -0.1, 1),
                        "got -0.1"),
                Arguments.of("StratifiedShuffleSplit class of one", (Executable) () -> new StratifiedShuffleSplit(2, 0.5, 1)
                        .split(new int[] {0, 0, 0, 1}), "only 1 member"),
                Arguments.of("StratifiedShuffleSplit test too small for classes", (Executable) () ->
                        new StratifiedShuffleSplit(2, 0.1, 1).split(new int[] {0, 0, 0, 0, 0, 1, 1, 1, 1, 1}), "2 classes"),
                Arguments.of("RepeatedKFold nRepeats 0", (Executable) () -> new RepeatedKFold(3, 0, 1), "nRepeats"),
                Arguments.of("TimeSeriesSplit k + 1 > n", (Executable) () -> new TimeSeriesSplit(5).split(5), "n=5"),
                Arguments.of("TimeSeriesSplit gap too large", (Executable) () -> new TimeSeriesSplit(3).withGap(4).split(12),
                        "gap=4"),
                Arguments.of("TimeSeriesSplit negative gap", (Executable) () -> new TimeSeriesSplit(3).withGap(-1), "gap=-1"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("impossible")
    void impossibleSplitsThrowNamingTheBadValue(String name, Executable call, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call, name);
        assertTrue(e.getMessage().contains(expected), name + ": message '" + e.getMessage() + "' lacks '" + expected + "'");
    }

    @Test
    void aClassSmallerThanKIsOnlyWarnedAbout() {
        int[] labels = {0, 0, 0, 0, 0, 1, 1, 0, 0, 0};
        String log = stderrOf(() -> assertEquals(4, new StratifiedKFold(4).split(labels).size()));
        assertTrue(log.contains("WARN") && log.contains("least populated class") && log.contains("only 2 members")
                && log.contains("k=4"), "expected a warning, logged: " + log);
        String quiet = stderrOf(() -> new StratifiedKFold(2).split(labels));
        assertFalse(quiet.contains("WARN"), "no warning when every class fills every fold: " + quiet);
    }

    @Test
    void aSmallChoiceGridIsWarnedAboutAndReturnedWhole() {
        ParamDistributions space = ParamDistributions.builder().choice("a", 1, 2).choice("b", "x", "y").build();
        List<Params>[] drawn = new List[1];
        String log = stderrOf(() -> drawn[0] = space.sample(10, 3));
        assertEquals(4, drawn[0].size());
        assertTrue(log.contains("WARN") && log.contains("only 4 combinations"), log);
    }

    /** Returns what SLF4J's simple logger (which writes to the current System.err) printed while {@code r} ran. */
    static String stderrOf(Runnable r) {
        PrintStream old = System.err;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setErr(old);
        }
        return buffer.toString(StandardCharsets.UTF_8);
    }
}
