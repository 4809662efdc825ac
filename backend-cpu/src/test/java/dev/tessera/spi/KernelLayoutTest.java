package dev.tessera.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Packing of strided views into Layout structs (no device needed). */
class KernelLayoutTest {
    private static int[] shape(int[] s) {
        return Arrays.copyOfRange(s, 1, 1 + s[0]);
    }

    private static int[] strides(int[] s, int k) {
        int base = 1 + KernelLayout.MAX_RANK + KernelLayout.OPERANDS + k * KernelLayout.MAX_RANK;
        return Arrays.copyOfRange(s, base, base + s[0]);
    }

    private static int offset(int[] s, int k) {
        return s[1 + KernelLayout.MAX_RANK + k];
    }

    @Test
    void contiguousViewsMergeToRankOne() {
        List<int[]> l = KernelLayout.pack(new int[] {2, 3, 4}, new int[][] {{12, 4, 1}, {12, 4, 1}}, new int[] {5, 0});
        assertEquals(1, l.size());
        assertArrayEquals(new int[] {24}, shape(l.get(0)));
        assertArrayEquals(new int[] {1}, strides(l.get(0), 0));
        assertEquals(5, offset(l.get(0), 0));
    }

    @Test
    void aTransposeKeepsTwoDimensionsAndSizeOneDimensionsVanish() {
        List<int[]> l = KernelLayout.pack(new int[] {1, 3, 4}, new int[][] {{99, 1, 3}, {12, 4, 1}}, new int[] {0, 0});
        assertArrayEquals(new int[] {3, 4}, shape(l.get(0)));
        assertArrayEquals(new int[] {1, 3}, strides(l.get(0), 0));
        assertArrayEquals(new int[] {4, 1}, strides(l.get(0), 1));
    }

    @Test
    void broadcastDimensionsMergeOnlyWhereEveryOperandAgrees() {
        List<int[]> l = KernelLayout.pack(new int[] {4, 5}, new int[][] {{0, 1}, {5, 1}}, new int[] {0, 0});
        assertArrayEquals(new int[] {4, 5}, shape(l.get(0)));
        List<int[]> scalar = KernelLayout.pack(new int[] {4, 5}, new int[][] {{0, 0}, {5, 1}}, new int[] {0, 0});
        assertArrayEquals(new int[] {20}, shape(scalar.get(0)), "a broadcast scalar merges");
        assertArrayEquals(new int[] {0}, strides(scalar.get(0), 0));
    }

    @Test
    void scalarsAndEmptyShapes() {
        List<int[]> scalar = KernelLayout.pack(new int[0], new int[][] {{}}, new int[] {7});
        assertArrayEquals(new int[] {1}, shape(scalar.get(0)));
        assertEquals(7, offset(scalar.get(0), 0));
        assertEquals(0, KernelLayout.pack(new int[] {3, 0}, new int[][] {{0, 1}}, new int[] {0}).size());
    }

    @Test
    void ranksAboveTheLimitSplitOverLeadingDimensions() {
        int[] shape = {2, 2, 2, 2, 2, 2, 2, 2, 2, 2};
        int[] st = {1, 1024, 2, 512, 4, 256, 8, 128, 16, 64}; // no two neighbours merge
        List<int[]> l = KernelLayout.pack(shape, new int[][] {st}, new int[] {0});
        assertEquals(4, l.size());
        assertEquals(KernelLayout.MAX_RANK, l.get(0)[0]);
        assertEquals(0, offset(l.get(0), 0));
        assertEquals(1024, offset(l.get(1), 0));
        assertEquals(1, offset(l.get(2), 0));
        assertEquals(1025, offset(l.get(3), 0));
    }
}
