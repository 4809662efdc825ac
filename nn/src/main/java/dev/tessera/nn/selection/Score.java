package dev.tessera.nn.selection;

import java.util.Locale;

/**
 * The mean and standard deviation of a score over folds. The standard deviation is the population
 * one ({@code ddof = 0}, NumPy's {@code np.std} default), as scikit-learn's {@code std_test_score}.
 *
 * @param mean the mean (NaN for no values)
 * @param std  the population standard deviation (NaN for no values)
 */
public record Score(double mean, double std) {

    /** Returns the mean and population standard deviation of {@code values} (not modified). */
    public static Score of(double[] values) {
        if (values.length == 0) {
            return new Score(Double.NaN, Double.NaN);
        }
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        double mean = sum / values.length;
        double sq = 0;
        for (double v : values) {
            sq += (v - mean) * (v - mean);
        }
        return new Score(mean, Math.sqrt(sq / values.length));
    }

    /** Returns {@code "0.9531 ± 0.0211"}. */
    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%.4f ± %.4f", mean, std);
    }
}
