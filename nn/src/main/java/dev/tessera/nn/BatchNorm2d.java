package dev.tessera.nn;

import dev.tessera.Shape;
import dev.tessera.Tensor;

/**
 * Batch normalisation of {@code [N, C, H, W]} inputs per channel C, with statistics over N, H and
 * W, like {@code torch.nn.BatchNorm2d}; see {@link BatchNorm} for the computation, the running
 * statistics (momentum, eval mode) and the state ({@code weight}, {@code bias}, {@code
 * running_mean}, {@code running_var}, {@code num_batches_tracked}).
 */
public class BatchNorm2d extends BatchNorm {
    /** Creates the layer for {@code numFeatures} channels: eps 1e-5, momentum 0.1, affine, tracking running statistics. */
    public BatchNorm2d(int numFeatures) {
        this(numFeatures, 1e-5, 0.1, true, true);
    }

    /** Creates the layer for {@code numFeatures} channels with the given eps and momentum, affine, tracking running statistics. */
    public BatchNorm2d(int numFeatures, double eps, double momentum) {
        this(numFeatures, eps, Double.valueOf(momentum), true, true);
    }

    /**
     * Creates the layer with every option; a null {@code momentum} makes the running statistics a
     * cumulative average.
     *
     * @throws IllegalArgumentException for a non-positive {@code numFeatures}, negative eps or momentum outside [0, 1]
     */
    public BatchNorm2d(int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
        super(numFeatures, eps, momentum, affine, trackRunningStats);
    }

    /**
     * Checks that the input is {@code [N, numFeatures, H, W]}.
     *
     * @throws IllegalArgumentException naming the layer and the input's shape
     */
    @Override
    protected void checkInput(Tensor input) {
        if (input.dim() != 4 || input.size(1) != numFeatures()) {
            throw new IllegalArgumentException("BatchNorm2d(" + numFeatures() + "): expected input of shape [N, "
                    + numFeatures() + ", H, W], got " + Shape.str(input.shape()));
        }
    }
}
