package dev.tessera.nn.selection;

import dev.tessera.Tensor;
import dev.tessera.nn.data.Batch;
import dev.tessera.nn.data.Dataset;
import java.util.function.UnaryOperator;

/** A lazy view of a dataset whose batches' features pass through a fitted transform; targets are unchanged. */
final class TransformedDataset implements Dataset {
    private final Dataset base;
    private final UnaryOperator<Tensor> transform;

    TransformedDataset(Dataset base, UnaryOperator<Tensor> transform) {
        this.base = base;
        this.transform = transform;
    }

    /** Returns {@code base} itself for the identity transform, else a view. */
    static Dataset of(Dataset base, UnaryOperator<Tensor> transform) {
        return transform == UnaryOperator.<Tensor>identity() ? base : new TransformedDataset(base, transform);
    }

    @Override
    public int size() {
        return base.size();
    }

    @Override
    public Batch get(int[] indices) {
        Batch b = base.get(indices);
        try (var ng = Tensor.noGrad()) {
            return new Batch(transform.apply(b.features()), b.targets());
        }
    }

    @Override
    public int[] labels() {
        return base.labels();
    }
}
