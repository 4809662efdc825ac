package dev.tessera.nn.data;

import dev.tessera.Tensor;

/**
 * Rescales features to {@code [0, 1]} per column using the minimum and maximum fitted on training
 * data. Constant columns map to 0.
 */
public final class MinMaxScaler {
    private final Tensor min;
    private final Tensor range;

    private MinMaxScaler(Tensor min, Tensor range) {
        this.min = min;
        this.range = range;
    }

    /** Fits the per-column minimum and maximum of {@code x} {@code [n, ...]}. */
    public static MinMaxScaler fit(Tensor x) {
        if (x.dim() < 1 || x.size(0) < 1) {
            throw new IllegalArgumentException("MinMaxScaler.fit: needs at least one example, got shape "
                    + java.util.Arrays.toString(x.shape()));
        }
        try (var ng = Tensor.noGrad()) {
            Tensor min = x.min(0, true);
            Tensor range = x.max(0, true).sub(min);
            return new MinMaxScaler(min, Tensor.where(range.gt(0f), range, range.onesLike()));
        }
    }

    /** Fits on the features of {@code data} (all of it; pass the training subset). */
    public static MinMaxScaler fit(Dataset data) {
        int[] all = new int[data.size()];
        java.util.Arrays.setAll(all, i -> i);
        return fit(data.get(all).features());
    }

    /** Returns {@code (x - min) / (max - min)}; x is not modified. */
    public Tensor transform(Tensor x) {
        return x.sub(min).div(range);
    }
}
