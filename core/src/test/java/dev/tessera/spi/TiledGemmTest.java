package dev.tessera.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tessera.DType;
import org.junit.jupiter.api.Test;

/** The launches of gemm.c's tiled kernel: geometry, arguments, and the batch split where the launcher limits it. */
class TiledGemmTest {
    private static final Storage A = new Buffer();
    private static final Storage B = new Buffer();
    private static final Storage C = new Buffer();

    @Test
    void oneLaunchCoversTheBatchInTilesOf64() {
        RecordingLauncher k = new RecordingLauncher(false, Integer.MAX_VALUE);
        // a [3, 70, 5] row-major from 2, b [3, 5, 130] column-major (a transposed view), c [3, 70, 130]
        View a = new View(A, new int[] {3, 70, 5}, new int[] {350, 5, 1}, 2);
        View b = new View(B, new int[] {3, 5, 130}, new int[] {650, 1, 5}, 0);
        View c = new View(C, new int[] {3, 70, 130}, new int[] {9100, 130, 1}, 11);
        new TiledGemm(k).multiply(a, b, c, false);
        RecordingLauncher.Launch l = k.only();
        assertEquals("gemm.c/gemm", l.file() + "/" + l.name());
        assertArrayEquals(new long[] {3 * 16, 2 * 16, 3}, l.global()); // ceil(130/64) x ceil(70/64) tiles
        assertArrayEquals(new long[] {16, 16, 1}, l.local());
        assertArrayEquals(new Object[] {70, 130, 5, A, 2, 350, 5, 1, B, 0, 650, 1, 5, C, 11, 9100, 0}, l.args());
    }

    @Test
    void aBatchBeyondTheLauncherLimitIsSplitWithOffsetOperands() {
        RecordingLauncher k = new RecordingLauncher(false, 2);
        View a = new View(A, new int[] {5, 4, 3}, new int[] {12, 3, 1}, 1);
        View b = new View(B, new int[] {5, 3, 64}, new int[] {0, 64, 1}, 7); // broadcast over the batch
        View c = new View(C, new int[] {5, 4, 64}, new int[] {256, 64, 1}, 0);
        new TiledGemm(k).multiply(a, b, c, true);
        assertEquals(3, k.launches.size());
        int[][] batches = {{0, 2}, {2, 2}, {4, 1}};
        for (int i = 0; i < 3; i++) {
            int b0 = batches[i][0];
            RecordingLauncher.Launch l = k.launches.get(i);
            assertArrayEquals(new long[] {16, 16, batches[i][1]}, l.global(), "launch " + i);
            assertArrayEquals(new Object[] {4, 64, 3, A, 1 + 12 * b0, 12, 3, 1, B, 7, 0, 64, 1, C, 256 * b0, 256, 1},
                    l.args(), "launch " + i);
        }
    }

    @Test
    void isNamedForLogs() {
        assertEquals("own tiled kernel", new TiledGemm(new RecordingLauncher(false, 1)).name());
    }

    /** A storage that only stands for an operand. */
    private static final class Buffer implements Storage {
        @Override
        public DType dtype() {
            return DType.FLOAT32;
        }

        @Override
        public int length() {
            return 0;
        }
    }
}
