package dev.tessera.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The matrix views the fused ops hand to matmul: a single row or column gets the strides matmul expects. */
class KernelViewsTest {
    @ParameterizedTest(name = "{0} x {1} with strides ({2}, {3}) -> ({4}, {5})")
    @CsvSource({
        "3, 4, 4, 1, 4, 1",   // row-major: as given
        "3, 4, 1, 3, 1, 3",   // column-major: as given
        "3, 1, 1, 3, 1, 1",   // one column: column stride 1
        "1, 5, 9, 1, 5, 1",   // one row stored row-major: row stride = its length
        "1, 5, 1, 7, 1, 7",   // one row stored column-major: row stride 1
        "1, 1, 9, 9, 1, 1"})  // one element
    void aSingleRowOrColumnGetsCanonicalStrides(int rows, int cols, int rs, int cs, int ers, int ecs) {
        View m = KernelViews.matrix(null, 3, 2, 20, rows, cols, rs, cs);
        assertArrayEquals(new int[] {2, rows, cols}, m.shape());
        assertArrayEquals(new int[] {20, ers, ecs}, m.strides());
        assertEquals(3, m.offset());
    }

    @ParameterizedTest(name = "without axis {0}")
    @CsvSource({"0, '2,3'", "1, '1,3'", "2, '1,2'"})
    void dropsOneAxis(int axis, String expected) {
        int[] e = java.util.Arrays.stream(expected.split(",")).mapToInt(Integer::parseInt).toArray();
        assertArrayEquals(e, KernelViews.without(new int[] {1, 2, 3}, axis));
    }
}
