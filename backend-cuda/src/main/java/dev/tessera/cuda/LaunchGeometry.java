package dev.tessera.cuda;

import java.util.Arrays;

/**
 * The grid and block of a CUDA launch, from the OpenCL-style sizes the kernels are written for: a
 * kernel sees {@code GID(d) = blockIdx * blockDim + threadIdx} along dimension {@code d}, so a
 * launch of {@code global[d]} work-items in groups of {@code local[d]} is a grid of {@code
 * global[d] / local[d]} blocks of {@code local[d]} threads.
 *
 * @param grid  blocks along x, y, z
 * @param block threads per block along x, y, z
 */
record LaunchGeometry(int[] grid, int[] block) {
    /** The most threads a block may have on every GPU of compute capability 7.5 and newer. */
    static final int MAX_BLOCK = 1024;
    /** The most blocks along y and z. */
    static final int MAX_GRID_YZ = 65535;

    /**
     * Returns the geometry of {@code global} work-items in groups of {@code local} (1 to 3
     * dimensions, same length; each global size a multiple of its local size).
     *
     * @throws IllegalArgumentException naming {@code kernel} and the sizes when they do not fit a CUDA launch
     */
    static LaunchGeometry of(String kernel, long[] global, long[] local) {
        if (global.length < 1 || global.length > 3 || local.length != global.length) {
            throw new IllegalArgumentException(kernel + ": a launch of " + Arrays.toString(global) + " in groups of "
                    + Arrays.toString(local) + " needs 1 to 3 dimensions of both");
        }
        int[] grid = {1, 1, 1};
        int[] block = {1, 1, 1};
        long threads = 1;
        for (int d = 0; d < global.length; d++) {
            if (local[d] <= 0 || global[d] < 0 || global[d] % local[d] != 0) {
                throw new IllegalArgumentException(kernel + ": global size " + global[d] + " is not a multiple of the group"
                        + " size " + local[d] + " in dimension " + d);
            }
            long blocks = global[d] / local[d];
            long limit = d == 0 ? Integer.MAX_VALUE : MAX_GRID_YZ;
            if (blocks > limit) {
                throw new IllegalArgumentException(kernel + ": " + blocks + " blocks in dimension " + d + " exceed CUDA's "
                        + limit);
            }
            grid[d] = (int) blocks;
            block[d] = (int) local[d];
            threads *= local[d];
        }
        if (threads > MAX_BLOCK) {
            throw new IllegalArgumentException(kernel + ": a block of " + threads + " threads " + Arrays.toString(local)
                    + " exceeds CUDA's " + MAX_BLOCK);
        }
        return new LaunchGeometry(grid, block);
    }

    /** Returns true when the launch has no work (a zero-sized grid). */
    boolean empty() {
        return grid[0] == 0 || grid[1] == 0 || grid[2] == 0;
    }

    @Override
    public String toString() {
        return "grid " + Arrays.toString(grid) + " x block " + Arrays.toString(block);
    }
}
