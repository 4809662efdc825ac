package dev.tessera.nn;

import dev.tessera.DType;
import dev.tessera.GradMode;
import dev.tessera.Shape;
import dev.tessera.Tensor;

/**
 * Batch normalisation over dimension 1 (the channels) of an input {@code [N, C, ...]}, the shared
 * part of {@link BatchNorm1d} and its 2-D and 3-D relatives, like PyTorch's {@code _BatchNorm}.
 *
 * <p>{@code y = (x - mean) / sqrt(var + eps) * weight + bias}, per channel. In training mode (or
 * without running statistics) mean and var are the batch's, over every dimension but 1, with the
 * biased variance; in training mode the buffers are then updated in place: {@code running_mean =
 * (1 - momentum) * running_mean + momentum * mean}, likewise {@code running_var} with the unbiased
 * batch variance, and {@code num_batches_tracked} is incremented. With a null momentum the running
 * statistics are the cumulative average ({@code momentum = 1 / num_batches_tracked}). In eval mode
 * the running statistics are used and nothing is modified.
 *
 * <p>State, named like PyTorch's: parameters {@code weight} (ones) and {@code bias} (zeros) when
 * affine; buffers {@code running_mean} (zeros), {@code running_var} (ones) and the 0-d INT32 {@code
 * num_batches_tracked} when tracking running statistics.
 */
public abstract class BatchNorm extends Module {
    private final int numFeatures;
    private final double eps;
    private final Double momentum;
    private final boolean affine;
    private final boolean trackRunningStats;

    /**
     * Creates the layer for {@code numFeatures} channels.
     *
     * @param momentum the weight of the batch statistics in the running update, or null for a
     *                 cumulative average
     * @throws IllegalArgumentException if {@code numFeatures} is not positive, {@code eps} is negative
     *                                  or {@code momentum} is outside {@code [0, 1]}
     */
    protected BatchNorm(int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
        if (numFeatures <= 0 || !(eps >= 0) || (momentum != null && !(momentum >= 0 && momentum <= 1))) {
            throw new IllegalArgumentException(typeName() + ": needs numFeatures > 0, eps >= 0 and momentum in [0, 1] (or null),"
                    + " got numFeatures=" + numFeatures + ", eps=" + eps + ", momentum=" + momentum);
        }
        this.numFeatures = numFeatures;
        this.eps = eps;
        this.momentum = momentum;
        this.affine = affine;
        this.trackRunningStats = trackRunningStats;
        if (affine) {
            registerParameter("weight", Tensor.ones(numFeatures));
            registerParameter("bias", Tensor.zeros(numFeatures));
        }
        if (trackRunningStats) {
            registerBuffer("running_mean", Tensor.zeros(numFeatures));
            registerBuffer("running_var", Tensor.ones(numFeatures));
            registerBuffer("num_batches_tracked", Tensor.scalar(0f).to(DType.INT32));
        }
    }

    /**
     * Checks the input's rank and channel count; called first by {@link #forward(Tensor)}.
     *
     * @throws IllegalArgumentException naming the layer and the input's shape
     */
    protected abstract void checkInput(Tensor input);

    /** Returns the number of channels C. */
    public int numFeatures() {
        return numFeatures;
    }

    /** Returns the epsilon added to the variance. */
    public double eps() {
        return eps;
    }

    /** Returns the momentum of the running update, or null for a cumulative average. */
    public Double momentum() {
        return momentum;
    }

    /** Returns the weight (gamma, {@code [C]}), or null without affine parameters. */
    public Tensor weight() {
        return affine ? parameter("weight") : null;
    }

    /** Returns the bias (beta, {@code [C]}), or null without affine parameters. */
    public Tensor bias() {
        return affine ? parameter("bias") : null;
    }

    /** Returns the running mean buffer {@code [C]}, or null when running statistics are not tracked. */
    public Tensor runningMean() {
        return trackRunningStats ? buffer("running_mean") : null;
    }

    /** Returns the running variance buffer {@code [C]}, or null when running statistics are not tracked. */
    public Tensor runningVar() {
        return trackRunningStats ? buffer("running_var") : null;
    }

    /** Returns the 0-d INT32 count of training batches seen, or null when running statistics are not tracked. */
    public Tensor numBatchesTracked() {
        return trackRunningStats ? buffer("num_batches_tracked") : null;
    }

    /**
     * Returns the normalised input (a new tensor); in training mode with running statistics it
     * also updates {@code running_mean}, {@code running_var} and {@code num_batches_tracked} in place.
     *
     * @throws IllegalArgumentException if the input has the wrong shape, or in training mode a
     *                                  channel has only one value
     */
    @Override
    public Tensor forward(Tensor input) {
        checkInput(input);
        int[] statShape = new int[input.dim()];
        java.util.Arrays.fill(statShape, 1);
        statShape[1] = numFeatures;
        Tensor centred;
        Tensor var;
        if (isTraining() || !trackRunningStats) {
            long n = input.numel() / numFeatures;
            if (isTraining() && n <= 1) {
                throw new IllegalArgumentException(typeName() + "(" + numFeatures + "): expected more than 1 value per channel"
                        + " when training, got input of shape " + Shape.str(input.shape()));
            }
            Tensor mean = reduceAllButChannels(input);
            centred = input.sub(mean);
            var = reduceAllButChannels(centred.square());
            if (isTraining() && trackRunningStats) {
                updateRunningStats(mean, var, n);
            }
        } else {
            centred = input.sub(runningMean().reshape(statShape));
            var = runningVar().reshape(statShape);
        }
        Tensor y = centred.mul(var.add((float) eps).rsqrt());
        return affine ? y.mul(weight().reshape(statShape)).add(bias().reshape(statShape)) : y;
    }

    /** The mean over every dimension but 1, kept as size-1 dimensions. */
    private static Tensor reduceAllButChannels(Tensor x) {
        Tensor m = x;
        for (int d = 0; d < x.dim(); d++) {
            if (d != 1) {
                m = m.mean(d, true);
            }
        }
        return m;
    }

    private void updateRunningStats(Tensor mean, Tensor biasedVar, long n) {
        try (GradMode ignored = Tensor.noGrad()) {
            Tensor count = numBatchesTracked();
            count.copyFrom(count.add(1f));
            Tensor batchMean = mean.detach().reshape(numFeatures);
            Tensor unbiasedVar = biasedVar.detach().reshape(numFeatures).mul((float) ((double) n / (n - 1)));
            Tensor rm = runningMean();
            Tensor rv = runningVar();
            if (momentum != null) {
                float f = momentum.floatValue();
                rm.copyFrom(rm.mul(1f - f).add(batchMean.mul(f)));
                rv.copyFrom(rv.mul(1f - f).add(unbiasedVar.mul(f)));
            } else {
                // The cumulative average: f = 1 / count, kept on the device (no read-back).
                Tensor f = count.to(DType.FLOAT32).reciprocal();
                Tensor keep = f.rsub(1f);
                rm.copyFrom(rm.mul(keep).add(batchMean.mul(f)));
                rv.copyFrom(rv.mul(keep).add(unbiasedVar.mul(f)));
            }
        }
    }

    @Override
    protected String extraRepr() {
        return numFeatures + ", eps=" + eps + ", momentum=" + momentum + ", affine=" + affine
                + ", trackRunningStats=" + trackRunningStats;
    }
}
