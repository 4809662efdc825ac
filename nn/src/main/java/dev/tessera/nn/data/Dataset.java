package dev.tessera.nn.data;

import java.util.Arrays;
import java.util.Objects;

/**
 * A finite, indexable collection of examples. Implementations return whole batches at once
 * ({@link #get(int[])}) so that in-memory datasets can gather rows with one tensor op.
 */
public interface Dataset {

    /** Returns the number of examples. */
    int size();

    /**
     * Returns the examples at {@code indices} (each in {@code [0, size())}) stacked into a batch, in
     * the order given.
     *
     * @throws IllegalArgumentException if an index is out of range
     */
    Batch get(int[] indices);

    /**
     * Returns the class label of every example, for stratified splitting; by default read from the
     * targets of one batch holding the whole dataset.
     *
     * @throws IllegalStateException if the targets are not INT32 class labels
     */
    default int[] labels() {
        int[] all = new int[size()];
        Arrays.setAll(all, i -> i);
        Batch b = get(all);
        if (b.targets().dtype() != dev.tessera.DType.INT32 || b.targets().dim() != 1) {
            throw new IllegalStateException("labels: targets are " + b.targets().dtype() + " of shape "
                    + Arrays.toString(b.targets().shape()) + ", not one INT32 class label per example");
        }
        return b.targets().toIntArray();
    }

    /**
     * Returns a lazy view of the examples at {@code indices} (copied, not the data): nothing is
     * gathered until a batch is requested. Used for train/validation splits and cross-validation.
     */
    default Dataset subset(int[] indices) {
        return new Subset(this, indices);
    }

    /** A lazy selection of another dataset's examples. */
    final class Subset implements Dataset {
        private final Dataset base;
        private final int[] indices;

        Subset(Dataset base, int[] indices) {
            Objects.requireNonNull(indices, "subset: indices must not be null");
            for (int i : indices) {
                if (i < 0 || i >= base.size()) {
                    throw new IllegalArgumentException("subset: index " + i + " is out of range for a dataset of "
                            + base.size() + " examples");
                }
            }
            this.base = base;
            this.indices = indices.clone();
        }

        @Override
        public int size() {
            return indices.length;
        }

        @Override
        public Batch get(int[] positions) {
            Objects.requireNonNull(positions, "subset: indices must not be null");
            int[] mapped = new int[positions.length];
            for (int i = 0; i < positions.length; i++) {
                int p = positions[i];
                if (p < 0 || p >= indices.length) {
                    throw new IllegalArgumentException("subset: index " + p + " is out of range for a subset of "
                            + indices.length + " examples");
                }
                mapped[i] = indices[p];
            }
            return base.get(mapped);
        }

        @Override
        public int[] labels() {
            int[] all = base.labels();
            int[] mine = new int[indices.length];
            for (int i = 0; i < indices.length; i++) {
                mine[i] = all[indices[i]];
            }
            return mine;
        }

        @Override
        public Dataset subset(int[] positions) {
            Objects.requireNonNull(positions, "subset: indices must not be null");
            int[] mapped = new int[positions.length];
            for (int i = 0; i < positions.length; i++) {
                if (positions[i] < 0 || positions[i] >= indices.length) {
                    throw new IllegalArgumentException("subset: index " + positions[i] + " is out of range for a subset of "
                            + indices.length + " examples");
                }
                mapped[i] = indices[positions[i]];
            }
            return new Subset(base, mapped);
        }
    }
}
