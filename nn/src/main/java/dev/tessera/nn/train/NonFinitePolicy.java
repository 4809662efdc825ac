package dev.tessera.nn.train;

/**
 * What {@link Trainer#fit} does with a batch whose loss is NaN or infinite; set with {@link
 * Trainer.Builder#nonFinitePolicy}. The loss is checked before the backward pass, so in either case
 * the batch never reaches the weights.
 */
public enum NonFinitePolicy {
    /**
     * Stops training with a {@link NonFiniteLossException} naming the epoch, the batch and the loss
     * (the default, like Keras' {@code TerminateOnNaN}). The model keeps the weights of the last
     * step, and the checkpoints on disk are not touched.
     */
    STOP,
    /**
     * Skips the batch: no backward pass, no optimizer or per-batch scheduler step, no metrics, no
     * {@link Callback#onBatchEnd} call, and it does not count in the epoch's loss (like the skipped
     * steps of mixed-precision training). The skipped batches are counted and logged once per epoch.
     */
    SKIP
}
