package dev.tessera.nn.train;

/**
 * What {@link Trainer#fit} does with a batch whose loss is NaN or infinite; set with {@link
 * Trainer.Builder#nonFinitePolicy}.
 *
 * <p>Where the check happens: on the CPU the trainer reads each batch's loss (a plain memory
 * access there) and checks it before the backward pass, so under either policy the batch never
 * reaches the weights. On another device (a GPU) reading a loss waits for the device and copies,
 * so under {@link #STOP} the check runs on the device and is read back only when a progress line is
 * drawn, a checkpoint is due or the epoch ends; {@link #SKIP} has to decide before each optimizer
 * step and so reads one scalar per step.
 */
public enum NonFinitePolicy {
    /**
     * Stops training with a {@link NonFiniteLossException} naming the epoch, the first batch whose
     * loss was not finite and that loss (the default, like Keras' {@code TerminateOnNaN}). On the
     * CPU it stops before that batch's optimizer step: the model keeps the weights of the step
     * before. On a GPU it stops at the next read-back of the loss (the next progress line,
     * checkpoint or epoch end), so training may have continued a few batches past it and the
     * weights hold those steps ({@link NonFiniteLossException#lastBatchRun()} says up to where). In
     * both cases no checkpoint is written after the bad batch: those on disk are not touched.
     */
    STOP,
    /**
     * Skips the batch: no backward pass, no optimizer or per-batch scheduler step, no metrics, no
     * {@link Callback#onBatchEnd} call, and it does not count in the epoch's loss (like the skipped
     * steps of mixed-precision training). The skipped batches are counted and logged once per epoch.
     *
     * <p>Cost: the decision is taken on the host before each optimizer step, so each batch's loss is
     * read back from the device: one scalar, and on a GPU one host synchronisation, per step (which
     * keeps the device from running ahead of the host). {@link #STOP} does not have that cost.
     */
    SKIP
}
