package dev.tessera.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The launches KernelLauncher builds on a backend's launch(): checked against hand-written geometry and structs. */
class KernelLauncherTest {
    private final RecordingLauncher k = new RecordingLauncher(false, Integer.MAX_VALUE);

    @ParameterizedTest(name = "roundUp({0}, {1}) = {2}")
    @CsvSource({"0, 64, 0", "1, 64, 64", "64, 64, 64", "65, 64, 128", "127, 16, 128", "5000000000, 64, 5000000000"})
    void roundsUpToAMultiple(long n, long m, long expected) {
        assertEquals(expected, KernelLauncher.roundUp(n, m));
    }

    @Test
    void aOneDimensionalLaunchRoundsTheItemsUpToWholeGroups() {
        k.launch1d("f.c", "kern", 100, 64, 7, 1.5f);
        RecordingLauncher.Launch l = k.only();
        assertEquals("f.c/kern", l.file() + "/" + l.name());
        assertArrayEquals(new long[] {128}, l.global());
        assertArrayEquals(new long[] {64}, l.local());
        assertArrayEquals(new Object[] {7, 1.5f}, l.args());
    }

    @Test
    void aContiguousViewIsOneRankOneLayoutInFrontOfTheArguments() {
        k.launchStrided("e.c", "copy", new int[] {2, 3}, new int[][] {{3, 1}, {3, 1}}, new int[] {5, 0}, "x", 1);
        RecordingLauncher.Launch l = k.only();
        assertArrayEquals(new long[] {64}, l.global());
        assertArrayEquals(new long[] {KernelLauncher.GROUP}, l.local());
        int[] layout = struct(new int[] {6}, new int[] {5, 0}, new int[][] {{1}, {1}});
        assertArrayEquals(new Object[] {layout, 6, "x", 1}, l.args());
    }

    @Test
    void aTransposedOperandKeepsTwoDimensions() {
        // out[i][j] = x[j][i]: x read with strides {1, 2}, out written with {3, 1}
        k.launchStrided("e.c", "copy", new int[] {2, 3}, new int[][] {{1, 2}, {3, 1}}, new int[] {0, 4});
        RecordingLauncher.Launch l = k.only();
        int[] layout = struct(new int[] {2, 3}, new int[] {0, 4}, new int[][] {{1, 2}, {3, 1}});
        assertArrayEquals(new Object[] {layout, 6}, l.args());
    }

    @Test
    void anEmptyShapeLaunchesNothing() {
        k.launchStrided("e.c", "fill", new int[] {0, 3}, new int[][] {{3, 1}}, new int[] {0}, "x");
        assertEquals(List.of(), k.launches);
    }

    @Test
    void aScalarIsOneElement() {
        k.launchStrided("e.c", "fill", new int[0], new int[][] {{}}, new int[] {9});
        assertArrayEquals(new Object[] {struct(new int[] {1}, new int[] {9}, new int[][] {{0}}), 1}, k.only().args());
    }

    @Test
    void moreThanEightUnmergeableDimensionsAreSplitOverTheLeadingOne() {
        int[] shape = new int[9];
        int[] strides = new int[9];
        for (int d = 0; d < 9; d++) {
            shape[d] = 2;
            strides[d] = (int) Math.pow(3, 8 - d); // 3 * 2 != 9: no two neighbours merge
        }
        k.launchStrided("e.c", "fill", shape, new int[][] {strides}, new int[] {1});
        assertEquals(2, k.launches.size());
        int[] inner = new int[8];
        int[] innerShape = new int[8];
        System.arraycopy(strides, 1, inner, 0, 8);
        System.arraycopy(shape, 1, innerShape, 0, 8);
        assertArrayEquals(new Object[] {struct(innerShape, new int[] {1}, new int[][] {inner}), 256},
                k.launches.get(0).args());
        assertArrayEquals(new Object[] {struct(innerShape, new int[] {1 + 6561}, new int[][] {inner}), 256},
                k.launches.get(1).args());
        assertTrue(k.launches.stream().allMatch(l -> l.global()[0] == 256));
    }

    @Test
    void theDefaultLauncherHasNoGroupLimit() {
        KernelLauncher plain = new KernelLauncher() {
            @Override
            public void launch(String file, String name, long[] global, long[] local, Object... args) {
            }
        };
        assertEquals(Integer.MAX_VALUE, plain.maxGroupsYZ());
    }

    /** The Layout struct of common.h, written out: {rank, shape[8], offset[4], stride[4][8]}. */
    static int[] struct(int[] shape, int[] offsets, int[][] strides) {
        int[] s = new int[1 + 8 + 4 + 32];
        s[0] = shape.length;
        System.arraycopy(shape, 0, s, 1, shape.length);
        System.arraycopy(offsets, 0, s, 9, offsets.length);
        for (int k = 0; k < strides.length; k++) {
            System.arraycopy(strides[k], 0, s, 13 + 8 * k, strides[k].length);
        }
        return s;
    }
}
