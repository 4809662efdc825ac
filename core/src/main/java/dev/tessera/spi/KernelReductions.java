package dev.tessera.spi;

import dev.tessera.DType;

/**
 * Reductions and softmax on a device of a {@link KernelBackend} (reduce.c) over contiguous blocks
 * viewed as {@code [outer, n, inner]}: lines of at least {@link #TREE_MIN_LINE} elements get a
 * work-group each (a tree in local memory), shorter ones a work-item each; INT32 reductions run
 * serially.
 */
final class KernelReductions {
    /** Lines at least this long get a work-group each in reductions and softmaxes, shorter ones a work-item each. */
    static final int TREE_MIN_LINE = 128;
    private static final String FILE = "reduce.c";

    private KernelReductions() {
    }

    /** See {@link Backend#reduce}: writes {@code outer * inner} results into {@code out} from {@code outOffset}. */
    static void reduce(KernelBackend<?> b, ReduceOp op, Storage x, int xOffset, int outer, int n, int inner, Storage out,
                       int outOffset) {
        long lines = (long) outer * inner;
        if (lines == 0) {
            return;
        }
        int g = KernelLauncher.GROUP;
        if (x.dtype() == DType.INT32) {
            b.kernels().launch1d(FILE, "reduce_int", lines, g, op.ordinal(), outer, n, inner,
                    b.storage(x), xOffset, b.storage(out), outOffset);
        } else if (n >= TREE_MIN_LINE) {
            b.kernels().launch(FILE, "reduce_tree", new long[] {lines * g}, new long[] {g},
                    op.ordinal(), outer, n, inner, b.storage(x), xOffset, b.storage(out), outOffset);
        } else {
            b.kernels().launch1d(FILE, "reduce_serial", lines, g, op.ordinal(), outer, n, inner,
                    b.storage(x), xOffset, b.storage(out), outOffset);
        }
    }

    /**
     * See {@link Backend#softmax}, of {@code scale * x}: writes {@code out} ({@code out} may be
     * {@code x} at the same offset).
     */
    static void softmax(KernelBackend<?> b, Storage x, int xOffset, int outer, int n, int inner, float scale, Storage out,
                        int outOffset, boolean log) {
        long lines = (long) outer * inner;
        if (lines == 0 || n == 0) {
            return;
        }
        int g = KernelLauncher.GROUP;
        if (n >= TREE_MIN_LINE) {
            b.kernels().launch(FILE, "softmax_tree", new long[] {lines * g}, new long[] {g},
                    outer, n, inner, scale, b.storage(x), xOffset, b.storage(out), outOffset, log ? 1 : 0);
        } else {
            b.kernels().launch1d(FILE, "softmax_serial", lines, g, outer, n, inner, scale,
                    b.storage(x), xOffset, b.storage(out), outOffset, log ? 1 : 0);
        }
    }
}
