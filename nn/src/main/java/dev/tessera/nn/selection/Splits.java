package dev.tessera.nn.selection;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Argument checks and fold building shared by the splitters. */
final class Splits {
    private Splits() {
    }

    /** Checks that {@code k >= 2}: one train/test split needs at least two folds. */
    static void checkFolds(String who, int k) {
        if (k < 2) {
            throw new IllegalArgumentException(who + ": k must be at least 2 (cross-validation needs at least one"
                    + " train/test split), got k=" + k);
        }
    }

    /** Checks that {@code k <= n}. */
    static void checkFoldsVsExamples(String who, int k, int n) {
        if (k > n) {
            throw new IllegalArgumentException(who + ": cannot have k=" + k + " folds with only n=" + n + " examples"
                    + " (every test fold needs at least one)");
        }
    }

    /** Checks that labels or groups are given. */
    static void checkNotNull(String who, String what, int[] values) {
        if (values == null) {
            throw new IllegalArgumentException(who + ": " + what + " must not be null");
        }
    }

    /** Checks a fraction lies strictly between 0 and 1. */
    static void checkFraction(String who, String what, double fraction) {
        if (!(fraction > 0 && fraction < 1)) {
            throw new IllegalArgumentException(who + ": " + what + " must be in (0, 1), got " + fraction);
        }
    }

    /**
     * Returns the folds given each example's test fold {@code foldOf[i]} in {@code 0 .. k-1}: fold
     * {@code f} tests the examples assigned to it and trains on all others, both ascending.
     */
    static List<Fold> fromAssignment(int[] foldOf, int k) {
        int n = foldOf.length;
        int[] counts = new int[k];
        for (int f : foldOf) {
            counts[f]++;
        }
        List<Fold> folds = new ArrayList<>(k);
        for (int f = 0; f < k; f++) {
            int[] test = new int[counts[f]];
            int[] train = new int[n - counts[f]];
            int a = 0;
            int b = 0;
            for (int i = 0; i < n; i++) {
                if (foldOf[i] == f) {
                    test[a++] = i;
                } else {
                    train[b++] = i;
                }
            }
            folds.add(new Fold(train, test));
        }
        return folds;
    }

    /** Returns {@code start, start+1, ..., end-1}. */
    static int[] range(int start, int end) {
        int[] r = new int[Math.max(0, end - start)];
        for (int i = 0; i < r.length; i++) {
            r[i] = start + i;
        }
        return r;
    }

    /** Returns the indices {@code 0 .. n-1} not in {@code test}, ascending. */
    static int[] complement(int[] test, int n) {
        boolean[] in = new boolean[n];
        for (int i : test) {
            in[i] = true;
        }
        int[] out = new int[n - test.length];
        int j = 0;
        for (int i = 0; i < n; i++) {
            if (!in[i]) {
                out[j++] = i;
            }
        }
        return out;
    }

    /** Returns a sorted copy of {@code a[from, to)}. */
    static int[] sortedRange(int[] a, int from, int to) {
        int[] r = Arrays.copyOfRange(a, from, to);
        Arrays.sort(r);
        return r;
    }

    /**
     * Integer values encoded as {@code 0 .. c-1}.
     *
     * @param codes  the code of every example
     * @param counts the number of examples of every code
     * @param values the original value of every code
     */
    record Classes(int[] codes, int[] counts, int[] values) {
        /** Returns the number of distinct values. */
        int size() {
            return counts.length;
        }

        /** Returns the smallest class size. */
        int minCount() {
            return Arrays.stream(counts).min().orElse(0);
        }
    }

    /**
     * Encodes {@code labels} as {@code 0 .. c-1} in order of first appearance, as scikit-learn's
     * StratifiedKFold does.
     */
    static Classes byAppearance(int[] labels) {
        Map<Integer, Integer> code = new LinkedHashMap<>();
        int[] codes = new int[labels.length];
        for (int i = 0; i < labels.length; i++) {
            codes[i] = code.computeIfAbsent(labels[i], v -> code.size());
        }
        return finish(codes, code.keySet().stream().mapToInt(Integer::intValue).toArray());
    }

    /**
     * Encodes {@code values} as their rank among the sorted distinct values, as NumPy's {@code
     * np.unique(values, return_inverse=True)}.
     */
    static Classes sorted(int[] values) {
        int[] distinct = Arrays.stream(values).distinct().sorted().toArray();
        int[] codes = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            codes[i] = Arrays.binarySearch(distinct, values[i]);
        }
        return finish(codes, distinct);
    }

    private static Classes finish(int[] codes, int[] values) {
        int[] counts = new int[values.length];
        for (int c : codes) {
            counts[c]++;
        }
        return new Classes(codes, counts, values);
    }
}
