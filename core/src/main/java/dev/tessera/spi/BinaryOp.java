package dev.tessera.spi;

/**
 * Elementwise functions of two arguments {@code a} and {@code b}. Comparisons give 1 for true and 0
 * for false.
 */
public enum BinaryOp {
    /** {@code a + b}. */
    ADD,
    /** {@code a - b}. */
    SUB,
    /** {@code a * b}. */
    MUL,
    /** {@code a / b}. */
    DIV,
    /** {@code a ^ b}. */
    POW,
    /** {@code max(a, b)}; NaN if either is NaN. */
    MAXIMUM,
    /** {@code min(a, b)}; NaN if either is NaN. */
    MINIMUM,
    /** {@code a == b}. */
    EQ,
    /** {@code a != b}. */
    NE,
    /** {@code a < b}. */
    LT,
    /** {@code a <= b}. */
    LE,
    /** {@code a > b}. */
    GT,
    /** {@code a >= b}. */
    GE;

    private final String label = name().toLowerCase(java.util.Locale.ROOT);

    /** Returns the op's name as tensor ops and error messages spell it, e.g. {@code add}. */
    public String label() {
        return label;
    }

    /** Returns true for the comparisons, whose result is 0 or 1. */
    public boolean isComparison() {
        return ordinal() >= EQ.ordinal();
    }
}
