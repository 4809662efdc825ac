package dev.tessera.cuda;

import dev.tessera.spi.Pool2dSpec;
import dev.tessera.spi.View;

/**
 * Pooling on a GPU (pool.c): forward kernels run one thread per output and read the
 * input through its strides; backward kernels run one thread per input element, which scans
 * the windows covering it and adds their contributions in the CPU's order, so there are no
 * atomics and the results are deterministic. Outputs, indices and gradients are contiguous (core
 * passes them so).
 */
final class CudaPool {
    private static final String FILE = "pool.c";

    private CudaPool() {
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

    /** See {@link dev.tessera.spi.Backend#maxPool2d}: writes {@code out} and {@code indices}. */
    static void maxPool2d(CudaBackend b, View x, Pool2dSpec s, View out, View indices) {
        b.kernels().launch1d(FILE, "max_pool", outputs(s), CudaKernels.GROUP, geom(s), CudaFused.nchw(x),
                CudaFused.buffer(b, x, "maxPool2d"), CudaFused.buffer(b, out, "maxPool2d"), out.offset(),
                CudaFused.buffer(b, indices, "maxPool2d"), indices.offset());
    }

    /**
     * See {@link dev.tessera.spi.Backend#maxPool2dBackward}: adds into {@code gradIn}. An index that
     * names no element of its window adds nothing.
     */
    static void maxPool2dBackward(CudaBackend b, View gradOut, View indices, Pool2dSpec s, View gradIn) {
        b.kernels().launch1d(FILE, "max_pool_backward", inputs(s), CudaKernels.GROUP, geom(s),
                CudaFused.buffer(b, gradOut, "maxPool2dBackward"), gradOut.offset(),
                CudaFused.buffer(b, indices, "maxPool2dBackward"), indices.offset(),
                CudaFused.buffer(b, gradIn, "maxPool2dBackward"), gradIn.offset());
    }

    /** See {@link dev.tessera.spi.Backend#avgPool2d}: writes {@code out}. */
    static void avgPool2d(CudaBackend b, View x, Pool2dSpec s, View out) {
        b.kernels().launch1d(FILE, "avg_pool", outputs(s), CudaKernels.GROUP, geom(s), CudaFused.nchw(x),
                CudaFused.buffer(b, x, "avgPool2d"), CudaFused.buffer(b, out, "avgPool2d"), out.offset());
    }

    /** See {@link dev.tessera.spi.Backend#avgPool2dBackward}: adds into {@code gradIn}. */
    static void avgPool2dBackward(CudaBackend b, View gradOut, Pool2dSpec s, View gradIn) {
        b.kernels().launch1d(FILE, "avg_pool_backward", inputs(s), CudaKernels.GROUP, geom(s),
                CudaFused.buffer(b, gradOut, "avgPool2dBackward"), gradOut.offset(),
                CudaFused.buffer(b, gradIn, "avgPool2dBackward"), gradIn.offset());
    }
}
