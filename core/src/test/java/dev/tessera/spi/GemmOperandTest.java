package dev.tessera.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** How a BLAS (cuBLAS, CLBlast) reads a row-major operand in place: the same elements as the view's strides (no GPU needed). */
class GemmOperandTest {
    @Test
    void addressesTheSameElementsAsTheViewsStrides() {
        // row-major, column-major (transposed), padded leading dimensions, row and column vectors, batch stride 0
        int[][] cases = {{3, 4, 4, 1}, {3, 4, 1, 3}, {3, 4, 6, 1}, {3, 4, 1, 5}, {1, 4, 4, 1}, {1, 4, 1, 1}, {3, 1, 1, 1},
            {3, 1, 1, 3}};
        for (int[] c : cases) {
            int rows = c[0];
            int cols = c[1];
            View v = new View(null, new int[] {2, rows, cols}, new int[] {0, c[2], c[3]}, 0);
            GemmOperand op = GemmOperand.of(v, rows, cols);
            assertTrue(op != null, Arrays.toString(c));
            for (int i = 0; i < rows; i++) {
                for (int p = 0; p < cols; p++) {
                    assertEquals((long) i * c[2] + (long) p * c[3], op.offset(i, p), Arrays.toString(c) + " at " + i
                            + "," + p);
                }
            }
            assertTrue(op.ld() >= (op.transposed() ? rows : cols), "BLAS needs ld >= its leading extent: " + op);
        }
        // neither stride 1 (a strided slice): no BLAS layout, the own kernel takes it
        assertNull(GemmOperand.of(new View(null, new int[] {1, 3, 4}, new int[] {0, 8, 2}, 0), 3, 4));
    }
}
