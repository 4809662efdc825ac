package dev.tessera.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tessera.DType;
import dev.tessera.Shape;
import dev.tessera.spi.View;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link CpuBackend#copy} of views whose rows are short and strided (one attention head out of a
 * joint projection), which take the vector path, and of rows that overlap their destination in
 * the same array, which must behave like {@code System.arraycopy}.
 */
class CopyRowsTest {
    private final CpuBackend cpu = CpuBackend.INSTANCE;

    @ParameterizedTest(name = "row length {0}")
    @ValueSource(ints = {1, 3, 15, 16, 17, 32, 47, 255, 256, 300})
    void stridedRowsAreCopiedBitForBit(int n) {
        int rows = 7;
        int stride = n + 5;
        float[] src = new float[3 + rows * stride];
        for (int i = 0; i < src.length; i++) {
            src[i] = i % 11 == 0 ? Float.intBitsToFloat(0x7fa00000 + i) : i * 0.5f - 3f; // signalling NaNs too
        }
        View from = new View(CpuStorage.ofFloats(src, false), new int[] {rows, n}, new int[] {stride, 1}, 3);
        View to = new View(cpu.allocate(DType.FLOAT32, rows * n), new int[] {rows, n}, Shape.contiguousStrides(new int[] {rows, n}), 0);
        cpu.copy(from, to);
        float[] out = CpuStorage.floats(to.storage());
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < n; j++) {
                assertEquals(Float.floatToRawIntBits(src[3 + r * stride + j]), Float.floatToRawIntBits(out[r * n + j]),
                        "row " + r + " column " + j);
            }
        }
    }

    @ParameterizedTest(name = "row length {0}")
    @ValueSource(ints = {5, 40, 300})
    void anOverlappingRowCopiesLikeArraycopy(int n) {
        float[] data = new float[n + 7];
        for (int i = 0; i < data.length; i++) {
            data[i] = i;
        }
        float[] expected = data.clone();
        System.arraycopy(expected, 0, expected, 7, n);
        CpuStorage storage = CpuStorage.ofFloats(data, false);
        cpu.copy(new View(storage, new int[] {n}, new int[] {1}, 0), new View(storage, new int[] {n}, new int[] {1}, 7));
        for (int i = 0; i < data.length; i++) {
            assertEquals(expected[i], data[i], "element " + i);
        }
    }
}
