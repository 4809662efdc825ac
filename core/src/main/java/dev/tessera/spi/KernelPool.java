package dev.tessera.spi;

/**
 * Pooling on a device of a {@link KernelBackend} (pool.c): forward kernels run one work-item per output and read the
 * input through its strides; backward kernels run one work-item per input element, which scans
 * the windows covering it and adds their contributions in the CPU's order, so there are no
 * atomics and the results are deterministic. Outputs, indices and gradients are contiguous (core
 * passes them so).
 */
final class KernelPool {
    private static final String FILE = "pool.c";

    private KernelPool() {
    }

    /** The PoolGeom struct of pool.c. */
    private static int[] geom(Pool2dSpec s) {
        return new int[] {s.batch(), s.channels(), s.height(), s.width(), s.outH(), s.outW(), s.kernelH(), s.kernelW(),
            s.strideH(), s.strideW(), s.padH(), s.padW(), s.countIncludePad() ? 1 : 0, s.adaptive() ? 1 : 0, 0, 0};
    }

    private static long outputs(Pool2dSpec s) {
        return (long) s.batch() * s.channels() * s.outH() * s.outW();
    }

    private static long inputs(Pool2dSpec s) {
        return (long) s.batch() * s.channels() * s.height() * s.width();
    }

    /** See {@link Backend#maxPool2d}: writes {@code out} and {@code indices}. */
    static void maxPool2d(KernelBackend<?> b, View x, Pool2dSpec s, View out, View indices) {
        b.kernels().launch1d(FILE, "max_pool", outputs(s), KernelLauncher.GROUP, geom(s), KernelViews.nchw(x),
                b.buffer(x, "maxPool2d"), b.buffer(out, "maxPool2d"), out.offset(),
                b.buffer(indices, "maxPool2d"), indices.offset());
    }

    /**
     * See {@link Backend#maxPool2dBackward}: adds into {@code gradIn}. An index that
     * names no element of its window adds nothing.
     */
    static void maxPool2dBackward(KernelBackend<?> b, View gradOut, View indices, Pool2dSpec s, View gradIn) {
        b.kernels().launch1d(FILE, "max_pool_backward", inputs(s), KernelLauncher.GROUP, geom(s),
                b.buffer(gradOut, "maxPool2dBackward"), gradOut.offset(),
                b.buffer(indices, "maxPool2dBackward"), indices.offset(),
                b.buffer(gradIn, "maxPool2dBackward"), gradIn.offset());
    }

    /** See {@link Backend#avgPool2d}: writes {@code out}. */
    static void avgPool2d(KernelBackend<?> b, View x, Pool2dSpec s, View out) {
        b.kernels().launch1d(FILE, "avg_pool", outputs(s), KernelLauncher.GROUP, geom(s), KernelViews.nchw(x),
                b.buffer(x, "avgPool2d"), b.buffer(out, "avgPool2d"), out.offset());
    }

    /** See {@link Backend#avgPool2dBackward}: adds into {@code gradIn}. */
    static void avgPool2dBackward(KernelBackend<?> b, View gradOut, Pool2dSpec s, View gradIn) {
        b.kernels().launch1d(FILE, "avg_pool_backward", inputs(s), KernelLauncher.GROUP, geom(s),
                b.buffer(gradOut, "avgPool2dBackward"), gradOut.offset(),
                b.buffer(gradIn, "avgPool2dBackward"), gradIn.offset());
    }
}
