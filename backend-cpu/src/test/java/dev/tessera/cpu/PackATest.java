package dev.tessera.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link PackedKernels#packA} against the layout it promises, element by element: every tile height,
 * A stored as given and transposed, full and partial panels (rows past the last one zero), an
 * offset into A, a row stride wider than k, and a k range that starts inside A's rows.
 */
class PackATest {

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (int mr : new int[] {6, 8, 12}) {
            for (boolean transA : new boolean[] {false, true}) {
                for (int rows : new int[] {1, mr - 1, mr, 2 * mr + 3}) {
                    for (int kc : new int[] {1, 7, 64}) {
                        out.add(Arguments.of(mr, transA, rows, kc));
                    }
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "mr={0} transA={1} rows={2} kc={3}")
    @MethodSource("cases")
    void panelsHoldTheRowsOfAInKOrderAndZerosPastTheLastRow(int mr, boolean transA, int rows, int kc) {
        int row0 = 2;
        int pc = 3;
        int m = row0 + rows + 1;
        int k = pc + kc + 2;
        int aOff = 5;
        int lda = (transA ? m : k) + 3; // A is k x m when stored transposed, m x k otherwise
        float[] a = new float[aOff + (transA ? k : m) * lda];
        for (int i = 0; i < a.length; i++) {
            a[i] = i + 0.5f; // every element distinct
        }
        int panels = (rows + mr - 1) / mr;
        float[] ap = new float[panels * mr * kc + 4];
        Arrays.fill(ap, Float.NaN); // every element of the panels must be written
        PackedKernels.packA(transA, a, aOff, lda, row0, rows, pc, kc, mr, ap);
        for (int panel = 0; panel < panels; panel++) {
            for (int p = 0; p < kc; p++) {
                for (int r = 0; r < mr; r++) {
                    int row = panel * mr + r;
                    float want = row >= rows ? 0f
                            : transA ? a[aOff + (pc + p) * lda + row0 + row] : a[aOff + (row0 + row) * lda + pc + p];
                    assertEquals(want, ap[panel * mr * kc + p * mr + r], "panel " + panel + " p=" + p + " r=" + r);
                }
            }
        }
        for (int i = panels * mr * kc; i < ap.length; i++) {
            assertEquals(Float.NaN, ap[i], "written past the panels at " + i);
        }
    }
}
