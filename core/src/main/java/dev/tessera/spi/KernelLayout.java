package dev.tessera.spi;

import java.util.ArrayList;
import java.util.List;

/**
 * Packs strided views for the {@code Layout} struct of the kernels' {@code common.h}: the shape
 * they share, and per operand an offset and strides. Before packing, size-1 dimensions are dropped
 * and neighbouring dimensions that are contiguous in every operand are merged, so a contiguous
 * tensor becomes rank 1 with stride 1 (the kernels' fast path) and a transposed matrix rank 2.
 * A shape that still has more than {@link #MAX_RANK} dimensions is split into several layouts
 * over its leading dimensions (one launch each).
 *
 * <p>The struct is {@code {int rank; int shape[8]; int offset[4]; int stride[4][8];}}: {@link
 * #INTS} ints passed by value as one kernel argument. Shared by the backends that run the kernels
 * (OpenCL, CUDA).
 */
public final class KernelLayout {
    /** The largest rank a Layout holds ({@code LAYOUT_MAX_RANK} in common.h). */
    public static final int MAX_RANK = 8;
    /** The most views one Layout describes ({@code LAYOUT_OPERANDS} in common.h). */
    public static final int OPERANDS = 4;
    /** The struct's size in ints. */
    public static final int INTS = 1 + MAX_RANK + OPERANDS + OPERANDS * MAX_RANK;

    private KernelLayout() {
    }

    /** Returns the strides of each view, in order, for {@link #pack}. */
    public static int[][] strides(View... views) {
        int[][] s = new int[views.length][];
        for (int k = 0; k < views.length; k++) {
            s[k] = views[k].strides();
        }
        return s;
    }

    /** Returns the offset of each view, in order, for {@link #pack}. */
    public static int[] offsets(View... views) {
        int[] o = new int[views.length];
        for (int k = 0; k < views.length; k++) {
            o[k] = views[k].offset();
        }
        return o;
    }

    /**
     * Packs {@code strides.length} (at most {@link #OPERANDS}) views of one {@code shape} into one
     * or more Layout structs (more only when the merged rank exceeds {@link #MAX_RANK}); returns
     * none for an empty shape. Each struct's elements, in row-major order, are a consecutive part
     * of the whole, in order.
     *
     * @throws IllegalArgumentException for more than {@link #OPERANDS} operands
     */
    public static List<int[]> pack(int[] shape, int[][] strides, int[] offsets) {
        int ops = strides.length;
        if (ops > OPERANDS || offsets.length != ops) {
            throw new IllegalArgumentException("KernelLayout.pack: " + ops + " operands with " + offsets.length
                    + " offsets; at most " + OPERANDS);
        }
        List<Integer> dims = new ArrayList<>();
        List<int[]> dimStrides = new ArrayList<>();
        for (int d = shape.length - 1; d >= 0; d--) { // innermost first
            if (shape[d] == 0) {
                return List.of();
            }
            if (shape[d] == 1) {
                continue;
            }
            int[] st = new int[ops];
            for (int k = 0; k < ops; k++) {
                st[k] = strides[k][d];
            }
            int last = dims.size() - 1;
            if (last >= 0 && mergeable(dims.get(last), dimStrides.get(last), st)) {
                dims.set(last, dims.get(last) * shape[d]);
            } else {
                dims.add(shape[d]);
                dimStrides.add(st);
            }
        }
        if (dims.isEmpty()) { // a scalar or all size-1: one element
            dims.add(1);
            dimStrides.add(new int[ops]);
        }
        int rank = dims.size();
        // back to outermost-first
        int[] mshape = new int[rank];
        int[][] mstrides = new int[ops][rank];
        for (int i = 0; i < rank; i++) {
            mshape[i] = dims.get(rank - 1 - i);
            for (int k = 0; k < ops; k++) {
                mstrides[k][i] = dimStrides.get(rank - 1 - i)[k];
            }
        }
        List<int[]> out = new ArrayList<>();
        split(mshape, mstrides, offsets.clone(), 0, out);
        return out;
    }

    /** Whether an outer dimension with strides {@code outer} continues the inner one (size, strides) in every operand. */
    private static boolean mergeable(int innerSize, int[] inner, int[] outer) {
        for (int k = 0; k < inner.length; k++) {
            if ((long) inner[k] * innerSize != outer[k]) {
                return false;
            }
        }
        return true;
    }

    /** Emits layouts for dimensions {@code from..} after fixing leading dimensions beyond MAX_RANK one index at a time. */
    private static void split(int[] shape, int[][] strides, int[] offsets, int from, List<int[]> out) {
        int rank = shape.length - from;
        if (rank <= MAX_RANK) {
            out.add(struct(shape, strides, offsets, from));
            return;
        }
        for (int i = 0; i < shape[from]; i++) {
            int[] o = offsets.clone();
            for (int k = 0; k < o.length; k++) {
                o[k] += i * strides[k][from];
            }
            split(shape, strides, o, from + 1, out);
        }
    }

    private static int[] struct(int[] shape, int[][] strides, int[] offsets, int from) {
        int rank = shape.length - from;
        int[] s = new int[INTS];
        s[0] = rank;
        for (int d = 0; d < rank; d++) {
            s[1 + d] = shape[from + d];
        }
        for (int k = 0; k < offsets.length; k++) {
            s[1 + MAX_RANK + k] = offsets[k];
            for (int d = 0; d < rank; d++) {
                s[1 + MAX_RANK + OPERANDS + k * MAX_RANK + d] = strides[k][from + d];
            }
        }
        return s;
    }

    /** Returns the number of elements a packed struct spans. */
    public static int numel(int[] struct) {
        int n = 1;
        for (int d = 0; d < struct[0]; d++) {
            n *= struct[1 + d];
        }
        return n;
    }
}
