package dev.tessera.nn;

import dev.tessera.Shape;
import dev.tessera.Tensor;

/**
 * Batch normalisation of {@code [N, C]} or {@code [N, C, L]} inputs per channel C, like {@code
 * torch.nn.BatchNorm1d}; see {@link BatchNorm} for the computation and the state.
 */
public class BatchNorm1d extends BatchNorm {
    /** Creates the layer for {@code numFeatures} channels: eps 1e-5, momentum 0.1, affine, tracking running statistics. */
    public BatchNorm1d(int numFeatures) {
        this(numFeatures, 1e-5, 0.1, true, true);
    }

    /** Creates the layer for {@code numFeatures} channels with the given eps and momentum, affine, tracking running statistics. */
    public BatchNorm1d(int numFeatures, double eps, double momentum) {
        this(numFeatures, eps, Double.valueOf(momentum), true, true);
    }

    /**
     * Creates the layer with every option; a null {@code momentum} makes the running statistics a
     * cumulative average.
     *
     * @throws IllegalArgumentException for a non-positive {@code numFeatures}, negative eps or momentum outside [0, 1]
     */
    public BatchNorm1d(int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
        super(numFeatures, eps, momentum, affine, trackRunningStats);
    }

    @Override
    protected void checkInput(Tensor input) {
        if ((input.dim() != 2 && input.dim() != 3) || input.size(1) != numFeatures()) {
            throw new IllegalArgumentException("BatchNorm1d(" + numFeatures() + "): expected input of shape [N, "
                    + numFeatures() + "] or [N, " + numFeatures() + ", L], got " + Shape.str(input.shape()));
        }
    }
}
