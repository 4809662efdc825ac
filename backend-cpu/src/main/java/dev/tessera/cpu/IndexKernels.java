package dev.tessera.cpu;

import dev.tessera.spi.View;

/** Gather and scatter-add along one axis over strided views, with bounds-checked indices. */
final class IndexKernels {
    private IndexKernels() {
    }

    /** {@code out[p] = x[p with p[axis] replaced by index[p]]} for every position p of out. */
    static void gather(View x, int axis, View index, View out) {
        int[] is = CpuStorage.ints(index.storage());
        int size = x.shape()[axis];
        int axisStride = x.strides()[axis];
        // x's stride along `axis` is removed here (set to 0) and applied per element from the index.
        int[] xStrides = x.strides().clone();
        xStrides[axis] = 0;
        int[][] strides = {xStrides, index.strides(), out.strides()};
        int[] offsets = {x.offset(), index.offset(), out.offset()};
        if (x.storage().dtype() == dev.tessera.DType.INT32) {
            int[] xs = CpuStorage.ints(x.storage());
            int[] os = CpuStorage.ints(out.storage());
            StridedLoop.run(out.shape(), strides, offsets, (offs, st, n) -> {
                if (copiedAsRow(xs, os, is, offs, st, n, axis, size, axisStride)) {
                    return;
                }
                for (int i = 0; i < n; i++) {
                    int k = is[offs[1] + i * st[1]];
                    if (k < 0 || k >= size) {
                        throw outOfRange("gather", k, axis, size);
                    }
                    os[offs[2] + i * st[2]] = xs[offs[0] + i * st[0] + k * axisStride];
                }
            });
            return;
        }
        float[] xs = CpuStorage.floats(x.storage());
        float[] os = CpuStorage.floats(out.storage());
        StridedLoop.run(out.shape(), strides, offsets, (offs, st, n) -> {
            if (copiedAsRow(xs, os, is, offs, st, n, axis, size, axisStride)) {
                return;
            }
            for (int i = 0; i < n; i++) {
                int k = is[offs[1] + i * st[1]];
                if (k < 0 || k >= size) {
                    throw outOfRange("gather", k, axis, size);
                }
                os[offs[2] + i * st[2]] = xs[offs[0] + i * st[0] + k * axisStride];
            }
        });
    }

    /** {@code out[p with p[axis] replaced by index[p]] += src[p]} for every position p of src; single-threaded (indices may repeat). */
    static void scatterAdd(View src, int axis, View index, View out) {
        float[] ss = CpuStorage.floats(src.storage());
        int[] is = CpuStorage.ints(index.storage());
        float[] os = CpuStorage.floats(out.storage());
        int size = out.shape()[axis];
        int axisStride = out.strides()[axis];
        int[] outStrides = out.strides().clone();
        outStrides[axis] = 0;
        int[] shape = src.shape();
        int[][] strides = {src.strides(), index.strides(), outStrides};
        int[] offsets = {src.offset(), index.offset(), out.offset()};
        // Serial on purpose: two source elements may target the same output element.
        StridedLoop.runSerial(shape, strides, offsets, (offs, st, n) -> {
            if (st[1] == 0 && st[0] == 1 && st[2] == 1) {
                // One index for a contiguous run (the gradient of indexSelect's rows, of an embedding):
                // a row added at once, each element with the same addition as below.
                int k = is[offs[1]];
                if (k < 0 || k >= size) {
                    throw outOfRange("scatterAdd", k, axis, size);
                }
                int o = offs[2] + k * axisStride;
                for (int i = 0; i < n; i++) {
                    os[o + i] += ss[offs[0] + i];
                }
                return;
            }
            for (int i = 0; i < n; i++) {
                int k = is[offs[1] + i * st[1]];
                if (k < 0 || k >= size) {
                    throw outOfRange("scatterAdd", k, axis, size);
                }
                os[offs[2] + i * st[2] + k * axisStride] += ss[offs[0] + i * st[0]];
            }
        });
    }

    /**
     * Copies a run of {@code gather} at once where one index serves all of it and both arrays are
     * contiguous along it (indexSelect's rows, an embedding lookup: element by element a 64 x 784
     * batch took about 100 µs); returns false, copying nothing, otherwise.
     */
    private static boolean copiedAsRow(Object xs, Object os, int[] is, int[] offs, int[] st, int n, int axis,
            int size, int axisStride) {
        if (st[1] != 0 || st[0] != 1 || st[2] != 1) {
            return false;
        }
        int k = is[offs[1]];
        if (k < 0 || k >= size) {
            throw outOfRange("gather", k, axis, size);
        }
        System.arraycopy(xs, offs[0] + k * axisStride, os, offs[2], n);
        return true;
    }

    private static IllegalArgumentException outOfRange(String op, int index, int axis, int size) {
        return new IllegalArgumentException(op + ": index " + index + " is out of range for dimension " + axis
                + " of size " + size);
    }
}
