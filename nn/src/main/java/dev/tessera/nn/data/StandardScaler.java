package dev.tessera.nn.data;

import dev.tessera.Tensor;

/**
 * Standardises features to zero mean and unit variance per column, with statistics fitted on
 * training data only and then applied unchanged to validation and test data (fitting on all data
 * would leak information from the test set). Columns with zero variance are left centred, not
 * divided by zero.
 */
public final class StandardScaler {
    private final Tensor mean;
    private final Tensor std;

    private StandardScaler(Tensor mean, Tensor std) {
        this.mean = mean;
        this.std = std;
    }

    /** Fits the per-column mean and (biased, as scikit-learn) standard deviation of {@code x} {@code [n, ...]}. */
    public static StandardScaler fit(Tensor x) {
        if (x.dim() < 1 || x.size(0) < 1) {
            throw new IllegalArgumentException("StandardScaler.fit: needs at least one example, got shape "
                    + java.util.Arrays.toString(x.shape()));
        }
        try (var ng = Tensor.noGrad()) {
            Tensor mean = x.mean(0, true);
            Tensor std = x.var(0, true, false).sqrt();
            // A constant column keeps scale 1 so transform() centres it without dividing by 0.
            Tensor safe = Tensor.where(std.gt(0f), std, std.onesLike());
            return new StandardScaler(mean, safe);
        }
    }

    /** Fits on the features of {@code data} (all of it; pass the training subset). */
    public static StandardScaler fit(Dataset data) {
        int[] all = new int[data.size()];
        java.util.Arrays.setAll(all, i -> i);
        return fit(data.get(all).features());
    }

    /** Returns {@code (x - mean) / std} for {@code x} shaped like the fitted data; x is not modified. */
    public Tensor transform(Tensor x) {
        return x.sub(mean).div(std);
    }

    /** Returns the fitted means, shape {@code [1, ...]}. */
    public Tensor mean() {
        return mean;
    }

    /** Returns the fitted standard deviations (1 for constant columns), shape {@code [1, ...]}. */
    public Tensor std() {
        return std;
    }
}
