package dev.tessera.nn;

import dev.tessera.ConstantCache;
import dev.tessera.Device;
import dev.tessera.GradMode;
import dev.tessera.Tensor;

/**
 * The constants layers and losses reuse from call to call, built once on the device where they are
 * used and kept in a small bounded cache ({@link ConstantCache}, 16 entries): ranges for one-hot
 * encodings and causal-mask biases for a given query and key length. Cached tensors are shared
 * between calls and threads: read-only.
 */
final class Constants {
    /** A cache key: the device, the constant's kind and its sizes. */
    record Key(Device device, String kind, int a, int b) {
    }

    static final ConstantCache<Key, Tensor> CACHE = new ConstantCache<>("nn constants");

    private Constants() {
    }

    /** Returns {@code [0, 1, ..., n-1]} (FLOAT32) on {@code device}, built once per device and size. */
    static Tensor arange(Device device, int n) {
        return CACHE.get(new Key(device, "arange", n, 0), k -> Tensor.arange(device, n));
    }

    /**
     * Returns the additive causal bias {@code [l, s]} on {@code device}: {@link AttentionMask#BLOCKED}
     * where key {@code j > } query {@code i}, 0 elsewhere; built once per device and sizes.
     */
    static Tensor causalBias(Device device, int l, int s) {
        return CACHE.get(new Key(device, "causal", l, s), k -> {
            try (GradMode ignored = Tensor.noGrad()) {
                // Blocked where key j > query i: compare a column of rows with a row of columns.
                Tensor rows = Tensor.arange(device, l).unsqueeze(1);
                Tensor cols = Tensor.arange(device, s).unsqueeze(0);
                return cols.gt(rows).mul(AttentionMask.BLOCKED);
            }
        });
    }
}
