package dev.tessera.nn.metrics;

import dev.tessera.DType;
import dev.tessera.Tensor;
import java.util.Arrays;

/**
 * Evaluation metrics computed from model outputs and targets. Classification metrics accept
 * either logits/probabilities {@code [n, classes]} (the prediction is the arg-max) or INT32
 * predicted classes {@code [n]}; targets are INT32 classes {@code [n]}. Values are read to the host.
 */
public final class Metrics {
    private Metrics() {
    }

    /** Returns the predicted classes: arg-max of {@code [n, c]} scores, or the INT32 input itself. */
    public static int[] predictedClasses(Tensor output) {
        if (output.dtype() == DType.INT32) {
            return output.toIntArray();
        }
        if (output.dim() != 2) {
            throw new IllegalArgumentException("predictedClasses: expected scores [n, classes] or INT32 classes [n], got "
                    + output.dtype() + " " + Arrays.toString(output.shape()));
        }
        return output.argmax(1).toIntArray();
    }

    private static int[] targets(String op, Tensor targets, int n) {
        if (targets.dtype() != DType.INT32 || targets.dim() != 1 || targets.size(0) != n) {
            throw new IllegalArgumentException(op + ": targets must be INT32 [" + n + "], got " + targets.dtype() + " "
                    + Arrays.toString(targets.shape()));
        }
        return targets.toIntArray();
    }

    /** Returns the fraction of examples whose predicted class equals the target. */
    public static double accuracy(Tensor output, Tensor targets) {
        int[] p = predictedClasses(output);
        int[] t = targets("accuracy", targets, p.length);
        int correct = 0;
        for (int i = 0; i < p.length; i++) {
            correct += p[i] == t[i] ? 1 : 0;
        }
        return p.length == 0 ? 0 : (double) correct / p.length;
    }

    /**
     * Returns the fraction of examples whose target is among the {@code k} highest scores (ties
     * broken by the lower class index).
     */
    public static double topKAccuracy(Tensor scores, Tensor targets, int k) {
        if (scores.dim() != 2 || k < 1 || k > scores.size(1)) {
            throw new IllegalArgumentException("topKAccuracy: need scores [n, classes] and 1 <= k <= classes, got "
                    + Arrays.toString(scores.shape()) + " and k = " + k);
        }
        int n = scores.size(0);
        int c = scores.size(1);
        float[] s = scores.toFloatArray();
        int[] t = targets("topKAccuracy", targets, n);
        int hits = 0;
        for (int i = 0; i < n; i++) {
            float target = s[i * c + t[i]];
            int better = 0;
            for (int j = 0; j < c; j++) {
                float v = s[i * c + j];
                if (v > target || (v == target && j < t[i])) {
                    better++;
                }
            }
            hits += better < k ? 1 : 0;
        }
        return n == 0 ? 0 : (double) hits / n;
    }

    /** Returns the confusion matrix of the predictions against the targets. */
    public static ConfusionMatrix confusionMatrix(Tensor output, Tensor targets, int numClasses) {
        int[] p = predictedClasses(output);
        ConfusionMatrix m = new ConfusionMatrix(numClasses);
        m.add(targets("confusionMatrix", targets, p.length), p);
        return m;
    }

    private static double[][] pair(String op, Tensor prediction, Tensor target) {
        if (!Arrays.equals(prediction.shape(), target.shape())) {
            throw new IllegalArgumentException(op + ": prediction " + Arrays.toString(prediction.shape()) + " and target "
                    + Arrays.toString(target.shape()) + " differ in shape");
        }
        float[] p = prediction.toFloatArray();
        float[] t = target.toFloatArray();
        double[][] r = new double[2][p.length];
        for (int i = 0; i < p.length; i++) {
            r[0][i] = p[i];
            r[1][i] = t[i];
        }
        return r;
    }

    /** Returns the mean squared error. */
    public static double mse(Tensor prediction, Tensor target) {
        double[][] v = pair("mse", prediction, target);
        double s = 0;
        for (int i = 0; i < v[0].length; i++) {
            s += (v[0][i] - v[1][i]) * (v[0][i] - v[1][i]);
        }
        return s / v[0].length;
    }

    /** Returns the mean absolute error. */
    public static double mae(Tensor prediction, Tensor target) {
        double[][] v = pair("mae", prediction, target);
        double s = 0;
        for (int i = 0; i < v[0].length; i++) {
            s += Math.abs(v[0][i] - v[1][i]);
        }
        return s / v[0].length;
    }

    /**
     * Returns the coefficient of determination {@code 1 - SS_res / SS_tot} over all elements; 1 for
     * a perfect fit, 0 for predicting the mean (NaN-free: a constant target gives 1 if matched, else 0,
     * as scikit-learn's default).
     */
    public static double r2(Tensor prediction, Tensor target) {
        double[][] v = pair("r2", prediction, target);
        double mean = Arrays.stream(v[1]).average().orElse(0);
        double res = 0;
        double tot = 0;
        for (int i = 0; i < v[0].length; i++) {
            res += (v[1][i] - v[0][i]) * (v[1][i] - v[0][i]);
            tot += (v[1][i] - mean) * (v[1][i] - mean);
        }
        if (tot == 0) {
            return res == 0 ? 1 : 0;
        }
        return 1 - res / tot;
    }

    /**
     * Returns the area under the ROC curve for binary targets (0/1) and scores where higher means
     * class 1: the probability that a random positive scores above a random negative, ties counting
     * one half (the Mann–Whitney statistic).
     *
     * @throws IllegalArgumentException if only one class is present (the AUC is undefined)
     */
    public static double rocAuc(Tensor scores, Tensor targets) {
        float[] s = scores.toFloatArray();
        int[] t = targets.dtype() == DType.INT32 ? targets.toIntArray() : toInts(targets.toFloatArray());
        if (s.length != t.length) {
            throw new IllegalArgumentException("rocAuc: " + s.length + " scores but " + t.length + " targets");
        }
        Integer[] order = new Integer[s.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(s[a], s[b]));
        // Average ranks over ties, then the rank-sum formula.
        double rankSumPositive = 0;
        long positives = 0;
        int i = 0;
        while (i < order.length) {
            int j = i;
            while (j + 1 < order.length && s[order[j + 1]] == s[order[i]]) {
                j++;
            }
            double avgRank = (i + j) / 2.0 + 1;
            for (int q = i; q <= j; q++) {
                int label = t[order[q]];
                if (label != 0 && label != 1) {
                    throw new IllegalArgumentException("rocAuc: targets must be 0 or 1, found " + label);
                }
                if (label == 1) {
                    rankSumPositive += avgRank;
                    positives++;
                }
            }
            i = j + 1;
        }
        long negatives = s.length - positives;
        if (positives == 0 || negatives == 0) {
            throw new IllegalArgumentException("rocAuc: needs both classes, got " + positives + " positives and "
                    + negatives + " negatives");
        }
        return (rankSumPositive - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
    }

    private static int[] toInts(float[] f) {
        int[] r = new int[f.length];
        for (int i = 0; i < f.length; i++) {
            r[i] = Math.round(f[i]);
        }
        return r;
    }
}
