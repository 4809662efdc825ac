package dev.tessera.spi;

/**
 * The kernels' own GEMM: {@code gemm.c}'s tiled kernel (64 x 64 blocks of {@code c} per work-group
 * of 16 x 16 items, 4 x 4 outputs each) on any {@link KernelLauncher}. It reads every operand
 * through its strides, so transposed operands and a batch stride of 0 cost no copies, and it
 * handles any strides at all (the fallback of a vendor BLAS for layouts the BLAS cannot take). The
 * batch runs along the launch's third dimension, split into several launches where it exceeds
 * {@link KernelLauncher#maxGroupsYZ()}.
 */
public final class TiledGemm implements KernelGemm {
    private static final int TS = 16;
    private static final int TILE = 64;

    private final KernelLauncher kernels;

    /** The tiled GEMM launched on {@code kernels}. */
    public TiledGemm(KernelLauncher kernels) {
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
        int most = kernels.maxGroupsYZ();
        for (int b0 = 0; b0 < batch; b0 += Math.min(most, batch - b0)) {
            int nb = Math.min(most, batch - b0);
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
