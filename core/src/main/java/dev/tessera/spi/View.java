package dev.tessera.spi;

import java.util.Arrays;

/**
 * A strided window onto a {@link Storage}: element {@code (i0, i1, ...)} lives at {@code offset +
 * i0*strides[0] + i1*strides[1] + ...}. A stride of 0 repeats an element (broadcasting). This is
 * what the primitives of a {@link Backend} read and write.
 *
 * @param storage the elements
 * @param shape   the size of each dimension (an empty array for a 0-d scalar)
 * @param strides the distance in elements between neighbours along each dimension
 * @param offset  the position of element {@code (0, 0, ...)}
 */
public record View(Storage storage, int[] shape, int[] strides, int offset) {

    /** Returns the number of elements in the window (1 for a 0-d view). */
    public int numel() {
        int n = 1;
        for (int s : shape) {
            n *= s;
        }
        return n;
    }

    /** Returns the number of dimensions. */
    public int dim() {
        return shape.length;
    }

    /** Returns true when the elements are laid out densely in row-major order. */
    public boolean isContiguous() {
        int expected = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] != 1 && strides[d] != expected) {
                return false;
            }
            expected *= shape[d];
        }
        return true;
    }

    @Override
    public String toString() {
        return "View" + Arrays.toString(shape) + " strides " + Arrays.toString(strides) + " offset " + offset;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof View v && v.storage == storage && v.offset == offset
                && Arrays.equals(v.shape, shape) && Arrays.equals(v.strides, strides);
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(storage) * 31 + Arrays.hashCode(shape) * 17 + offset;
    }
}
