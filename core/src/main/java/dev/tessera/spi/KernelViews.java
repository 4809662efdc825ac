package dev.tessera.spi;

import dev.tessera.Shape;

/**
 * Views and kernel structs the host sides of the fused kernels ({@link KernelConv}, {@link
 * KernelPool}, {@link KernelAttention}) build over device storages, and the composed defaults
 * ({@link ComposedConv}, {@link ComposedAttention}) over any backend's; nothing here touches a
 * device.
 */
final class KernelViews {
    private KernelViews() {
    }

    /** The {@code {offset, s0, s1, s2, s3}} struct of a four-dimensional (NCHW) view. */
    static int[] nchw(View v) {
        int[] s = v.strides();
        return new int[] {v.offset(), s[0], s[1], s[2], s[3]};
    }

    /** A contiguous view of {@code shape} on {@code s} from {@code offset}. */
    static View contiguous(Storage s, int offset, int... shape) {
        return new View(s, shape, Shape.contiguousStrides(shape), offset);
    }

    /**
     * A {@code [batch, rows, cols]} matrix view for {@code matmul}; a one-row or one-column matrix
     * gets the strides matmul expects (the row stride of a row vector is its length).
     */
    static View matrix(Storage st, int offset, int batch, int batchStride, int rows, int cols, int rowStride, int colStride) {
        int rs = rowStride;
        int cs = colStride;
        if (cols == 1) {
            cs = 1;
        }
        if (rows == 1) {
            rs = cs == 1 ? cols : 1;
        }
        return new View(st, new int[] {batch, rows, cols}, new int[] {batchStride, rs, cs}, offset);
    }

    /**
     * Runs {@code body} on rank-3 {@code [batch, rows, cols]} forms of {@code views}, which are all
     * {@code [lead..., rows, cols]} with the same leading dimensions: the views themselves at rank
     * 3; their leading dimensions merged into one where every view's strides allow; otherwise once
     * per index of the first leading dimension, recursively.
     */
    static void forEachRank3(View[] views, java.util.function.Consumer<View[]> body) {
        if (views[0].dim() == 3) {
            body.accept(views);
            return;
        }
        View[] merged = new View[views.length];
        for (int i = 0; i < views.length; i++) {
            merged[i] = mergeLeading(views[i]);
            if (merged[i] == null) {
                int n = views[0].shape()[0];
                for (int j = 0; j < n; j++) {
                    View[] sub = new View[views.length];
                    for (int t = 0; t < views.length; t++) {
                        sub[t] = withoutFirst(views[t], j);
                    }
                    forEachRank3(sub, body);
                }
                return;
            }
        }
        body.accept(merged);
    }

    /** {@code v}'s leading dimensions (all but the last two) as one, or null when their strides do not allow it. */
    private static View mergeLeading(View v) {
        int[] shape = v.shape();
        int[] strides = v.strides();
        int lead = shape.length - 2;
        int batch = 1;
        int stride = 0;
        int span = 0; // elements of the merged dimension so far, in units of stride; 0 before a dimension above 1
        for (int i = lead - 1; i >= 0; i--) {
            batch *= shape[i];
            if (shape[i] == 1) {
                continue;
            }
            if (span == 0) {
                stride = strides[i];
                span = shape[i];
            } else if (strides[i] == stride * span) {
                span *= shape[i];
            } else {
                return null;
            }
        }
        return new View(v.storage(), new int[] {batch, shape[lead], shape[lead + 1]},
                new int[] {stride, strides[lead], strides[lead + 1]}, v.offset());
    }

    /** Index {@code j} of {@code v}'s first dimension: a view of one rank less. */
    private static View withoutFirst(View v, int j) {
        int[] shape = v.shape();
        int[] strides = v.strides();
        return new View(v.storage(), java.util.Arrays.copyOfRange(shape, 1, shape.length),
                java.util.Arrays.copyOfRange(strides, 1, strides.length), v.offset() + j * strides[0]);
    }

    /** The matrices of a {@code [batch, rows, cols]} view, transposed, without a copy. */
    static View transposed(View x) {
        int[] s = x.shape();
        int[] st = x.strides();
        return new View(x.storage(), new int[] {s[0], s[2], s[1]}, new int[] {st[0], st[2], st[1]}, x.offset());
    }

    /** Images {@code [n0, n0 + nb)} of an NCHW view. */
    static View images(View v, int n0, int nb) {
        int[] shape = v.shape().clone();
        shape[0] = nb;
        return new View(v.storage(), shape, v.strides(), v.offset() + n0 * v.strides()[0]);
    }

    /** {@code a} without element {@code axis}. */
    static int[] without(int[] a, int axis) {
        int[] r = new int[a.length - 1];
        System.arraycopy(a, 0, r, 0, axis);
        System.arraycopy(a, axis + 1, r, axis, a.length - axis - 1);
        return r;
    }
}
