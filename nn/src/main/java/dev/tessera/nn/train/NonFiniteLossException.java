package dev.tessera.nn.train;

/**
 * Thrown by {@link Trainer#fit} under {@link NonFinitePolicy#STOP} when a training batch's loss is
 * NaN or infinite. It is raised before that batch's backward pass, so the model holds the weights
 * of the step before, and the checkpoints on disk hold the last ones written.
 */
public final class NonFiniteLossException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    private final int epoch;
    private final int batch;
    private final double loss;

    /**
     * Creates the exception for batch {@code batch} of epoch {@code epoch} (both counted from 0, as
     * {@link Callback#onBatchEnd} counts them) whose loss was {@code loss}.
     */
    public NonFiniteLossException(int epoch, int batch, double loss) {
        super("Trainer: the loss is " + loss + " at epoch " + epoch + ", batch " + batch
                + " (both counted from 0); training stopped before that batch's optimizer step. Look for NaN or"
                + " infinite inputs or targets, or lower the learning rate; nonFinitePolicy(SKIP) skips such batches");
        this.epoch = epoch;
        this.batch = batch;
        this.loss = loss;
    }

    /** Returns the epoch of the batch, counted from 0. */
    public int epoch() {
        return epoch;
    }

    /** Returns the batch's index within its epoch, counted from 0. */
    public int batch() {
        return batch;
    }

    /** Returns the batch's loss: NaN or an infinity. */
    public double loss() {
        return loss;
    }
}
