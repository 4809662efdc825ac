package dev.tessera.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** OpenCL-style launch sizes become CUDA grids and blocks (no GPU needed). */
class LaunchGeometryTest {
    static Stream<Arguments> launches() {
        return Stream.of(
                // one-dimensional launches in blocks of 64 (elementwise, reductions)
                Arguments.of(new long[] {64}, new long[] {64}, new int[] {1, 1, 1}, new int[] {64, 1, 1}),
                Arguments.of(new long[] {6400}, new long[] {64}, new int[] {100, 1, 1}, new int[] {64, 1, 1}),
                // the GEMM: 16 x 16 threads per 64 x 64 tile, the batch along z
                Arguments.of(new long[] {32, 48, 7}, new long[] {16, 16, 1}, new int[] {2, 3, 7}, new int[] {16, 16, 1}),
                Arguments.of(new long[] {0}, new long[] {64}, new int[] {0, 1, 1}, new int[] {64, 1, 1}));
    }

    @ParameterizedTest
    @MethodSource("launches")
    void globalOverLocalIsTheGrid(long[] global, long[] local, int[] grid, int[] block) {
        LaunchGeometry g = LaunchGeometry.of("k", global, local);
        assertArrayEquals(grid, g.grid());
        assertArrayEquals(block, g.block());
        assertEquals(global[0] == 0, g.empty());
    }

    @Test
    void everyThreadOfTheGridHasTheGlobalIdOpenClWouldGiveIt() {
        long[] global = {48, 32, 3};
        long[] local = {16, 8, 1};
        LaunchGeometry g = LaunchGeometry.of("k", global, local);
        boolean[] seen = new boolean[48 * 32 * 3];
        for (int bz = 0; bz < g.grid()[2]; bz++) {
            for (int by = 0; by < g.grid()[1]; by++) {
                for (int bx = 0; bx < g.grid()[0]; bx++) {
                    for (int ty = 0; ty < g.block()[1]; ty++) {
                        for (int tx = 0; tx < g.block()[0]; tx++) {
                            int gx = bx * g.block()[0] + tx; // GID(0) of prelude_cuda.h
                            int gy = by * g.block()[1] + ty;
                            int gz = bz;
                            int id = (gz * 32 + gy) * 48 + gx;
                            assertTrue(!seen[id], "thread " + gx + "," + gy + "," + gz + " twice");
                            seen[id] = true;
                        }
                    }
                }
            }
        }
        for (boolean s : seen) {
            assertTrue(s);
        }
    }

    @Test
    void sizesCudaCannotLaunchAreRefusedWithTheKernelAndTheSizes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LaunchGeometry.of("gemm.c/gemm", new long[] {16, 16, 70_000}, new long[] {16, 16, 1}));
        assertTrue(e.getMessage().contains("gemm.c/gemm: 70000 blocks in dimension 2 exceed CUDA's 65535"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LaunchGeometry.of("k", new long[] {100}, new long[] {64}));
        assertTrue(e.getMessage().contains("100 is not a multiple of the group size 64"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LaunchGeometry.of("k", new long[] {2048, 2}, new long[] {1024, 2}));
        assertTrue(e.getMessage().contains("a block of 2048 threads"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LaunchGeometry.of("k", new long[] {1, 1, 1, 1}, new long[] {1, 1, 1, 1}));
    }

    @Test
    void roundUpCoversEveryItem() {
        assertEquals(0, CudaKernels.roundUp(0, 64));
        assertEquals(64, CudaKernels.roundUp(1, 64));
        assertEquals(128, CudaKernels.roundUp(65, 64));
    }
}
