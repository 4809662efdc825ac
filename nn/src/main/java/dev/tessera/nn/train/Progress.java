package dev.tessera.nn.train;

/** Where a run stands: what a checkpoint records besides the model, optimizer, schedulers and callbacks. */
final class Progress {
    /** The epoch being run (counted from 0). */
    int epoch;
    /** The next batch of that epoch. */
    int batch;
    /** Optimizer steps taken so far. */
    long globalStep;
    /** The current epoch's loss summed over its examples so far, and their number. */
    double lossSum;
    long lossCount;
    /** Batches of the current epoch skipped for a non-finite loss. */
    long skipped;
    History history = new History();
}
