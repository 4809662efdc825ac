package dev.tessera.spi;

/**
 * Gather and scatter-add on a device of a {@link KernelBackend} (index.c). A kernel cannot throw:
 * an index out of range is written to the backend's error record ({@link
 * KernelBackend#errorRecord()}), which the next read or synchronize reports.
 */
final class KernelIndexing {
    private static final String FILE = "index.c";

    private KernelIndexing() {
    }

    /**
     * See {@link Backend#gather}: writes {@code out}; one work-item per element of {@code out}, which
     * reads {@code x} along {@code axis} at its index ({@code x}'s stride along {@code axis} is 0 in
     * the layout and passed separately).
     */
    static void gather(KernelBackend<?> b, View x, int axis, View index, View out) {
        int[] xStrides = x.strides().clone();
        xStrides[axis] = 0;
        b.kernels().launchStrided(FILE, "gather", out.shape(), new int[][] {xStrides, index.strides(), out.strides()},
                KernelLayout.offsets(x, index, out), b.storage(x.storage()), x.strides()[axis], x.shape()[axis], axis,
                KernelElementwise.isInt(x.storage()), b.storage(index.storage()), b.storage(out.storage()),
                b.errorRecord());
    }

    /**
     * See {@link Backend#scatterAdd}: adds into {@code out}; one work-item per line along {@code
     * axis}, which adds its elements in order (no atomics, deterministic).
     */
    static void scatterAdd(KernelBackend<?> b, View src, int axis, View index, View out) {
        int m = src.shape()[axis];
        if (m == 0) {
            return;
        }
        int[] lineShape = KernelViews.without(src.shape(), axis);
        int[][] strides = {KernelViews.without(src.strides(), axis), KernelViews.without(index.strides(), axis),
            KernelViews.without(out.strides(), axis)};
        b.kernels().launchStrided(FILE, "scatter_add", lineShape, strides, KernelLayout.offsets(src, index, out), m,
                b.storage(src.storage()), src.strides()[axis], b.storage(index.storage()), index.strides()[axis],
                b.storage(out.storage()), out.strides()[axis], out.shape()[axis], axis, b.errorRecord());
    }
}
