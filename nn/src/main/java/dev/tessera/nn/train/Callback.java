package dev.tessera.nn.train;

import dev.tessera.Tensor;
import java.util.Map;

/**
 * Hooks into {@link Trainer#fit}. All methods do nothing by default. A callback that has state
 * worth keeping across a resume (a patience counter, a best score) returns it from {@link
 * #stateDict()} and takes it back in {@link #loadStateDict}; checkpoints store it.
 */
public interface Callback {

    /** Called once before the first epoch (after a checkpoint, if any, was restored). */
    default void onTrainBegin(Trainer trainer) {
    }

    /** Called before each epoch. */
    default void onEpochBegin(Trainer trainer, int epoch) {
    }

    /**
     * Called after each optimizer step with the batch's loss as a number; not for a batch skipped
     * for a non-finite loss (see {@link NonFinitePolicy#SKIP}).
     *
     * <p>Cost: the number has to be read back from the training device. When any callback
     * overrides this method (and not {@link #onBatchEnd(Trainer, int, int, Tensor, int)}), the
     * trainer reads each batch's loss once, before the backward pass, which on a GPU is a host
     * synchronisation per step. A callback that does not need every value overrides the tensor
     * variant instead.
     */
    default void onBatchEnd(Trainer trainer, int epoch, int batch, double loss, int batchSize) {
    }

    /**
     * Called after each optimizer step with the batch's loss as a detached 0-d tensor on the
     * training device, which costs no read-back; not for a batch skipped for a non-finite loss. The
     * tensor belongs to the trainer and is overwritten by the next step: copy it (for example with
     * {@code loss.add(0f)}) to keep it. {@link Trainer#runningLoss()} gives the epoch's mean loss so
     * far when a number is needed (the progress display calls it when it draws a line).
     *
     * <p>The trainer calls this variant when the callback overrides it, else the {@code double}
     * variant when that is overridden, else neither. By default it reads the loss and calls
     * {@link #onBatchEnd(Trainer, int, int, double, int)}.
     */
    default void onBatchEnd(Trainer trainer, int epoch, int batch, Tensor loss, int batchSize) {
        onBatchEnd(trainer, epoch, batch, (double) loss.item(), batchSize);
    }

    /**
     * Called after each epoch with its logs: {@code loss} and each metric on the training data,
     * {@code val_loss} and {@code val_<metric>} on the validation data, {@code lr}.
     */
    default void onEpochEnd(Trainer trainer, int epoch, Map<String, Double> logs) {
    }

    /** Called once when training ends, normally or by a stop request. */
    default void onTrainEnd(Trainer trainer, History history) {
    }

    /** Returns the state to checkpoint (empty by default). */
    default Map<String, Double> stateDict() {
        return Map.of();
    }

    /**
     * Restores this callback's state from a checkpoint when {@link Trainer#fit} resumes. It runs
     * before the optimizer's state is loaded, so a callback that changes the optimizer (adds
     * parameter groups) can rebuild it first. By default calls {@link #loadStateDict}.
     */
    default void onRestore(Trainer trainer, Map<String, Double> state) {
        loadStateDict(state);
    }

    /** Restores state returned by {@link #stateDict()}; modifies this callback. */
    default void loadStateDict(Map<String, Double> state) {
    }
}
