package dev.tessera.nn.train;

/**
 * Thrown by {@link Trainer#fit} under {@link NonFinitePolicy#STOP} when a training batch's loss is
 * NaN or infinite, naming the first such batch and its loss. Where the trainer reads each loss (on
 * the CPU) it is raised before that batch's backward pass, so the model holds the weights of the
 * step before. On other devices the loss is checked on the device and read back at the next
 * progress line, checkpoint or epoch end, so training may have run a few batches past it ({@link
 * #lastBatchRun()}); the checkpoints on disk hold the last ones written before it in both cases.
 */
public final class NonFiniteLossException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    private final int epoch;
    private final int batch;
    private final double loss;
    private final int lastBatchRun;

    /**
     * Creates the exception for batch {@code batch} of epoch {@code epoch} (both counted from 0, as
     * {@link Callback#onBatchEnd} counts them) whose loss was {@code loss}, found before that
     * batch's backward pass.
     */
    public NonFiniteLossException(int epoch, int batch, double loss) {
        this(epoch, batch, loss, batch - 1);
    }

    /**
     * Creates the exception for batch {@code batch} of epoch {@code epoch} whose loss was {@code
     * loss}, found when the loss was read back from the device after the step of batch {@code
     * lastBatchRun} of that epoch ({@code batch - 1}: before the bad batch's backward pass).
     */
    public NonFiniteLossException(int epoch, int batch, double loss, int lastBatchRun) {
        super(message(epoch, batch, loss, lastBatchRun));
        this.epoch = epoch;
        this.batch = batch;
        this.loss = loss;
        this.lastBatchRun = lastBatchRun;
    }

    private static String message(int epoch, int batch, double loss, int lastBatchRun) {
        String where = "Trainer: the loss is " + loss + " at epoch " + epoch + ", batch " + batch + " (both counted from 0); ";
        String when = lastBatchRun < batch
                ? "training stopped before that batch's optimizer step."
                : "it was found when the loss was next read back from the device, after batch " + lastBatchRun
                        + ", so the optimizer steps of batches " + batch + " to " + lastBatchRun + " have reached the"
                        + " weights (the checkpoints on disk are from before).";
        return where + when + " Look for NaN or infinite inputs or targets, or lower the learning rate;"
                + " nonFinitePolicy(SKIP) skips such batches";
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

    /**
     * Returns the last batch of the epoch whose optimizer step ran before training stopped: {@code
     * batch() - 1} when the loss was checked before the bad batch's step (on the CPU, or when it is
     * read every step), later when it was found at a read-back from a GPU.
     */
    public int lastBatchRun() {
        return lastBatchRun;
    }
}
