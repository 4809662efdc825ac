package dev.tessera.opencl;

import dev.tessera.spi.View;

/**
 * The backend's own GEMM: gemm.c's tiled kernel (64 x 64 blocks of c per work-group of 16 x 16
 * items, 4 x 4 outputs each). It reads every operand through its strides, so transposed operands
 * and a batch stride of 0 cost no copies, and it handles any strides at all (the fallback of
 * {@link ClBlastGemm} for layouts CLBlast cannot take).
 */
final class OwnGemm implements ClGemm {
    private static final int TS = 16;
    private static final int TILE = 64;

    private final ClKernels kernels;

    OwnGemm(ClKernels kernels) {
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
        long[] global = {(long) ((n + TILE - 1) / TILE) * TS, (long) ((m + TILE - 1) / TILE) * TS, batch};
        kernels.launch("gemm.c", "gemm", global, new long[] {TS, TS, 1}, m, n, k,
                a.storage(), a.offset(), as[0], as[1], as[2],
                b.storage(), b.offset(), bs[0], bs[1], bs[2],
                c.storage(), c.offset(), c.strides()[0], accumulate ? 1 : 0);
    }

    @Override
    public String name() {
        return "own tiled kernel";
    }
}
