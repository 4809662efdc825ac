package dev.tessera.nn.metrics;

import java.util.Arrays;

/**
 * Counts of (true class, predicted class) pairs, and the per-class and macro-averaged precision,
 * recall and F1 derived from them. A class that is never predicted (or never present) has
 * precision (recall) 0, as scikit-learn's {@code zero_division=0}.
 */
public final class ConfusionMatrix {
    private final long[][] counts;

    /** Creates an empty matrix for {@code numClasses} classes. */
    public ConfusionMatrix(int numClasses) {
        if (numClasses < 1) {
            throw new IllegalArgumentException("ConfusionMatrix: numClasses must be >= 1, got " + numClasses);
        }
        this.counts = new long[numClasses][numClasses];
    }

    /**
     * Adds pairs of true and predicted classes; modifies this matrix.
     *
     * @throws IllegalArgumentException if the arrays differ in length or a class is out of range
     */
    public void add(int[] truth, int[] predicted) {
        if (truth.length != predicted.length) {
            throw new IllegalArgumentException("ConfusionMatrix.add: " + truth.length + " true labels but "
                    + predicted.length + " predictions");
        }
        int n = counts.length;
        for (int i = 0; i < truth.length; i++) {
            if (truth[i] < 0 || truth[i] >= n || predicted[i] < 0 || predicted[i] >= n) {
                throw new IllegalArgumentException("ConfusionMatrix.add: pair " + i + " (true " + truth[i] + ", predicted "
                        + predicted[i] + ") is outside the " + n + " classes");
            }
            counts[truth[i]][predicted[i]]++;
        }
    }

    /**
     * Adds every count of {@code other}; modifies this matrix.
     *
     * @throws IllegalArgumentException if the class counts differ
     */
    public void merge(ConfusionMatrix other) {
        if (other.counts.length != counts.length) {
            throw new IllegalArgumentException("ConfusionMatrix.merge: " + other.counts.length + " classes, expected "
                    + counts.length);
        }
        for (int i = 0; i < counts.length; i++) {
            for (int j = 0; j < counts.length; j++) {
                counts[i][j] += other.counts[i][j];
            }
        }
    }

    /** Returns the number of classes. */
    public int numClasses() {
        return counts.length;
    }

    /** Returns how often class {@code truth} was predicted as {@code predicted}. */
    public long count(int truth, int predicted) {
        return counts[truth][predicted];
    }

    /** Returns a copy of the counts, rows = true class, columns = predicted class. */
    public long[][] counts() {
        long[][] copy = new long[counts.length][];
        for (int i = 0; i < counts.length; i++) {
            copy[i] = counts[i].clone();
        }
        return copy;
    }

    /** Returns the total number of pairs. */
    public long total() {
        long t = 0;
        for (long[] row : counts) {
            for (long c : row) {
                t += c;
            }
        }
        return t;
    }

    /** Returns the fraction of pairs on the diagonal (0 when empty). */
    public double accuracy() {
        long correct = 0;
        for (int i = 0; i < counts.length; i++) {
            correct += counts[i][i];
        }
        long t = total();
        return t == 0 ? 0 : (double) correct / t;
    }

    /** Returns the precision of class {@code c}: correct predictions of c over all predictions of c. */
    public double precision(int c) {
        long predicted = 0;
        for (long[] row : counts) {
            predicted += row[c];
        }
        return predicted == 0 ? 0 : (double) counts[c][c] / predicted;
    }

    /** Returns the recall of class {@code c}: correct predictions of c over all examples of c. */
    public double recall(int c) {
        long actual = Arrays.stream(counts[c]).sum();
        return actual == 0 ? 0 : (double) counts[c][c] / actual;
    }

    /** Returns the F1 score of class {@code c}, the harmonic mean of its precision and recall. */
    public double f1(int c) {
        double p = precision(c);
        double r = recall(c);
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    /** Returns the unweighted mean of the per-class precisions. */
    public double macroPrecision() {
        double s = 0;
        for (int c = 0; c < counts.length; c++) {
            s += precision(c);
        }
        return s / counts.length;
    }

    /** Returns the unweighted mean of the per-class recalls. */
    public double macroRecall() {
        double s = 0;
        for (int c = 0; c < counts.length; c++) {
            s += recall(c);
        }
        return s / counts.length;
    }

    /** Returns the unweighted mean of the per-class F1 scores (scikit-learn's {@code average='macro'}). */
    public double macroF1() {
        double s = 0;
        for (int c = 0; c < counts.length; c++) {
            s += f1(c);
        }
        return s / counts.length;
    }

    /** Returns the matrix as an aligned text table, rows = true class. */
    @Override
    public String toString() {
        int width = Math.max(5, Long.toString(Arrays.stream(counts).flatMapToLong(Arrays::stream).max().orElse(0)).length() + 1);
        StringBuilder sb = new StringBuilder(String.format("%" + width + "s", "t\\p"));
        for (int c = 0; c < counts.length; c++) {
            sb.append(String.format("%" + width + "d", c));
        }
        for (int r = 0; r < counts.length; r++) {
            sb.append('\n').append(String.format("%" + width + "d", r));
            for (long v : counts[r]) {
                sb.append(String.format("%" + width + "d", v));
            }
        }
        return sb.toString();
    }
}
