package dev.tessera.spi;

/** Reductions along one axis. */
public enum ReduceOp {
    /** The sum; 0 for an empty axis. */
    SUM,
    /** The largest value; NaN if any value is NaN. */
    MAX,
    /** The smallest value; NaN if any value is NaN. */
    MIN,
    /** The index (INT32) of the first largest value; a NaN counts as the largest. */
    ARGMAX,
    /** The index (INT32) of the first smallest value; a NaN counts as the smallest. */
    ARGMIN
}
