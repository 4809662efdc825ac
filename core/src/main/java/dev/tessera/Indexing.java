package dev.tessera;

import dev.tessera.spi.View;

/** Gathering entries by integer index, and the scatter-add that is its gradient. */
final class Indexing {
    private Indexing() {
    }

    private static void requireIndex(String op, Tensor index) {
        if (index.dtype != DType.INT32) {
            throw new IllegalArgumentException(op + ": index must be INT32, got " + index.dtype
                    + " (create it with Tensor.ofInts or convert with to(DType.INT32))");
        }
    }

    static Tensor gather(Tensor x, int dim, Tensor index) {
        requireIndex("gather", index);
        Kernels.requireSameDevice("gather", x, index);
        int d = Shape.normalizeDim("gather", dim, x.dim());
        if (index.dim() != x.dim()) {
            throw new IllegalArgumentException("gather: index shape " + Shape.str(index.shape) + " and input shape "
                    + Shape.str(x.shape) + " must have the same number of dimensions");
        }
        for (int k = 0; k < x.dim(); k++) {
            if (k != d && index.shape[k] > x.shape[k]) {
                throw new IllegalArgumentException("gather: index shape " + Shape.str(index.shape) + " exceeds input shape "
                        + Shape.str(x.shape) + " at dimension " + k);
            }
        }
        Tensor out = Kernels.empty(x.backend, x.dtype, index.shape);
        x.backend.gather(cropped(x.view(), index.shape, d), d, index.view(), out.view());
        int[] inShape = x.shape;
        return Autograd.record(out, "gather", Autograd.saved(index),
                (g, needs) -> new Tensor[] {scatterAdd(g, d, index.view(), inShape), null}, x, index);
    }

    static Tensor indexSelect(Tensor x, int dim, Tensor index) {
        requireIndex("indexSelect", index);
        Kernels.requireSameDevice("indexSelect", x, index);
        if (index.dim() != 1) {
            throw new IllegalArgumentException("indexSelect: index must be 1-D, got shape " + Shape.str(index.shape));
        }
        int d = Shape.normalizeDim("indexSelect", dim, x.dim());
        int[] shape = x.shape.clone();
        shape[d] = index.shape[0];
        int[] strides = new int[shape.length];
        strides[d] = index.strides[0];
        // The 1-D index seen as a full-rank index tensor repeating along every other dimension.
        View expandedIndex = new View(index.storage, shape, strides, index.offset);
        Tensor out = Kernels.empty(x.backend, x.dtype, shape);
        try {
            x.backend.gather(x.view(), d, expandedIndex, out.view());
        } catch (IllegalArgumentException e) {
            // The backend reports the primitive's name; the user called indexSelect.
            throw new IllegalArgumentException("indexSelect: " + e.getMessage().replaceFirst("^gather: ", ""), e);
        }
        int[] inShape = x.shape;
        return Autograd.record(out, "indexSelect", Autograd.saved(index),
                (g, needs) -> new Tensor[] {scatterAdd(g, d, expandedIndex, inShape), null}, x, index);
    }

    /** The input view cut down to the index's sizes on every dimension but {@code dim}. */
    private static View cropped(View x, int[] indexShape, int dim) {
        int[] shape = x.shape().clone();
        for (int k = 0; k < shape.length; k++) {
            if (k != dim) {
                shape[k] = indexShape[k];
            }
        }
        return new View(x.storage(), shape, x.strides(), x.offset());
    }

    /** A zero tensor of {@code shape} with {@code src} added at the positions {@code index} names along {@code dim}. */
    static Tensor scatterAdd(Tensor src, int dim, View index, int[] shape) {
        Tensor out = Kernels.empty(src.backend, DType.FLOAT32, shape);
        src.backend.scatterAdd(src.view(), dim, index, cropped(out.view(), index.shape(), dim));
        return out;
    }
}
