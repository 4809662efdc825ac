package dev.tessera;

import java.util.Arrays;

/**
 * Static helpers for shapes ({@code int[]} of dimension sizes): element counts, row-major
 * strides, NumPy broadcasting and dimension normalisation. All methods validate their input and
 * name the op in their messages.
 */
public final class Shape {
    private Shape() {
    }

    /**
     * Returns the number of elements of {@code shape} (1 for a 0-d shape).
     *
     * @throws IllegalArgumentException if a size is negative or the count exceeds {@code
     *     Integer.MAX_VALUE} (the largest array the JVM can hold)
     */
    public static int numel(int... shape) {
        long n = 1;
        for (int s : shape) {
            if (s < 0) {
                throw new IllegalArgumentException("shape " + str(shape) + ": negative dimension " + s);
            }
            n *= s;
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("shape " + str(shape) + ": more than "
                        + Integer.MAX_VALUE + " elements");
            }
        }
        return (int) n;
    }

    /**
     * Checks that {@code shape} is a valid tensor shape for {@code op}; returns its element count.
     *
     * @throws IllegalArgumentException naming {@code op} for a negative size or too many elements
     */
    public static int check(String op, int... shape) {
        try {
            return numel(shape);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(op + ": " + e.getMessage(), e);
        }
    }

    /** Returns the row-major (C order) strides of {@code shape}. */
    public static int[] contiguousStrides(int[] shape) {
        int[] strides = new int[shape.length];
        int s = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            strides[d] = s;
            s *= Math.max(shape[d], 1);
        }
        return strides;
    }

    /**
     * Returns the shape that {@code a} and {@code b} broadcast to under NumPy's rules: shapes are
     * aligned at their last dimension and each pair of sizes must be equal or contain a 1.
     *
     * @param op named in the error message
     * @throws IllegalArgumentException when the shapes cannot broadcast
     */
    public static int[] broadcast(String op, int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            int db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException(op + ": shapes " + str(a) + " and " + str(b)
                        + " cannot be broadcast: sizes " + da + " and " + db + " at dimension " + i
                        + " of the result differ and neither is 1");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /**
     * Returns {@code dim} as a non-negative dimension index of a tensor of rank {@code rank};
     * negative values count from the end as in Python.
     *
     * @throws IllegalArgumentException if {@code dim} is out of range
     */
    public static int normalizeDim(String op, int dim, int rank) {
        int d = dim < 0 ? dim + rank : dim;
        if (d < 0 || d >= rank) {
            throw new IllegalArgumentException(op + ": dimension " + dim + " out of range for a tensor with "
                    + rank + (rank == 1 ? " dimension" : " dimensions")
                    + (rank == 0 ? "" : " (expected " + -rank + " to " + (rank - 1) + ")"));
        }
        return d;
    }

    /** Returns {@code shape} formatted as {@code [2, 3]}. */
    public static String str(int... shape) {
        return Arrays.toString(shape);
    }
}
