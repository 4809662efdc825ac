package dev.tessera.cuda;

import dev.tessera.spi.View;

/**
 * The backend's own GEMM: gemm.c's tiled kernel (64 x 64 blocks of c per block of 16 x 16
 * threads, 4 x 4 outputs each), the same kernel the OpenCL backend runs. It reads every operand
 * through its strides, so transposed operands and a batch stride of 0 cost no copies; batches
 * beyond CUDA's 65535 blocks along z are split into several launches.
 */
final class OwnCudaGemm implements CudaGemm {
    private static final int TS = 16;
    private static final int TILE = 64;

    private final CudaKernels kernels;

    OwnCudaGemm(CudaKernels kernels) {
        this.kernels = kernels;
    }

    @Override
    public void multiply(View a, View b, View c, boolean accumulate) {
        int batch = c.shape()[0];
        int m = c.shape()[1];
        int n = c.shape()[2];
        int k = a.shape()[2];
        int[] as = a.strides();
        int[] bs = b.strides();
        int cs = c.strides()[0];
        for (int b0 = 0; b0 < batch; b0 += LaunchGeometry.MAX_GRID_YZ) {
            int nb = Math.min(LaunchGeometry.MAX_GRID_YZ, batch - b0);
            long[] global = {(long) ((n + TILE - 1) / TILE) * TS, (long) ((m + TILE - 1) / TILE) * TS, nb};
            kernels.launch("gemm.c", "gemm", global, new long[] {TS, TS, 1}, m, n, k,
                    a.storage(), a.offset() + b0 * as[0], as[0], as[1], as[2],
                    b.storage(), b.offset() + b0 * bs[0], bs[0], bs[1], bs[2],
                    c.storage(), c.offset() + b0 * cs, cs, accumulate ? 1 : 0);
        }
    }

    @Override
    public String name() {
        return "own tiled kernel";
    }
}
