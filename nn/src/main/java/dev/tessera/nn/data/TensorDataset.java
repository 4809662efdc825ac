package dev.tessera.nn.data;

import dev.tessera.DType;
import dev.tessera.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * A dataset held in two tensors: features {@code [n, ...]} and targets {@code [n]} or {@code [n, ...]}.
 * Batches are gathered with {@link Tensor#indexSelect}, so they live on the tensors' device.
 */
public final class TensorDataset implements Dataset {
    private final Tensor features;
    private final Tensor targets;
    private final List<String> classNames;

    /**
     * Creates a dataset over {@code features} and {@code targets} (not copied).
     *
     * @throws IllegalArgumentException if their first dimensions differ
     */
    public TensorDataset(Tensor features, Tensor targets) {
        this(features, targets, List.of());
    }

    /**
     * Creates a dataset whose INT32 targets index {@code classNames} (copied).
     *
     * @throws NullPointerException     if an argument or a class name is null
     * @throws IllegalArgumentException if the first dimensions of features and targets differ
     */
    public TensorDataset(Tensor features, Tensor targets, List<String> classNames) {
        Objects.requireNonNull(features, "TensorDataset: features must not be null");
        Objects.requireNonNull(targets, "TensorDataset: targets must not be null");
        Objects.requireNonNull(classNames, "TensorDataset: classNames must not be null (an empty list when not known)");
        for (int i = 0; i < classNames.size(); i++) {
            Objects.requireNonNull(classNames.get(i), "TensorDataset: class name " + i + " is null");
        }
        if (features.dim() == 0 || targets.dim() == 0 || features.size(0) != targets.size(0)) {
            throw new IllegalArgumentException("TensorDataset: features " + Arrays.toString(features.shape())
                    + " and targets " + Arrays.toString(targets.shape()) + " must have the same first dimension");
        }
        this.features = features.detach();
        this.targets = targets.detach();
        this.classNames = List.copyOf(classNames);
    }

    @Override
    public int size() {
        return features.size(0);
    }

    /** Returns all features. */
    public Tensor features() {
        return features;
    }

    /** Returns all targets. */
    public Tensor targets() {
        return targets;
    }

    /** Returns the class names (empty when not known). */
    public List<String> classNames() {
        return classNames;
    }

    /** Returns the number of classes: the class names, or 1 + the largest INT32 label. */
    public int numClasses() {
        if (!classNames.isEmpty()) {
            return classNames.size();
        }
        if (targets.dtype() != DType.INT32) {
            throw new IllegalStateException("numClasses: targets are " + targets.dtype() + ", not class labels");
        }
        return Arrays.stream(targets.toIntArray()).max().orElse(-1) + 1;
    }

    /** Returns the number of feature columns (the product of the feature dimensions after the first). */
    public int numFeatures() {
        return (int) (features.numel() / Math.max(1, features.size(0)));
    }

    @Override
    public Batch get(int[] indices) {
        Objects.requireNonNull(indices, "TensorDataset.get: indices must not be null");
        int n = size();
        for (int i : indices) {
            if (i < 0 || i >= n) {
                throw new IllegalArgumentException("TensorDataset.get: index " + i + " is out of range for " + n + " examples");
            }
        }
        Tensor idx = Tensor.ofInts(features.device(), indices);
        return new Batch(features.indexSelect(0, idx), targets.indexSelect(0, idx));
    }

    @Override
    public int[] labels() {
        if (targets.dtype() != DType.INT32 || targets.dim() != 1) {
            throw new IllegalStateException("labels: targets are " + targets.dtype() + " of shape "
                    + Arrays.toString(targets.shape()) + ", not one INT32 class label per example");
        }
        return targets.toIntArray();
    }

    /** Returns a dataset with {@code fn} applied to the features (e.g. a fitted scaler); targets shared. */
    public TensorDataset mapFeatures(UnaryOperator<Tensor> fn) {
        try (var ng = Tensor.noGrad()) {
            return new TensorDataset(fn.apply(features), targets, classNames);
        }
    }
}
