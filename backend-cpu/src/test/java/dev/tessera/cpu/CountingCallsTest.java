package dev.tessera.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The calls the warm-up makes only to count towards the JIT's thresholds ({@link
 * WarmUpProbes.Probe#counting}): a register tile of negative depth returns at once and writes
 * nothing, in particular not the zero tile a call of depth 0 writes.
 */
class CountingCallsTest {
    private static final int NRW = VectorGemm.NRW;

    @BeforeAll
    static void needsTheVectorApi() {
        assumeTrue(Gemm.usesVectorApi(), "the Vector API GEMM is off");
    }

    static Stream<Arguments> countingCalls() {
        float[] a = filled(12 * 8, 0.5f);
        float[] b = filled(8 * NRW, 2f);
        return Stream.of(
                call("VectorGemm.kernel", tile -> VectorGemm.kernel(-1, a, 0, 8, 1, 2, 3, 4, 5, 6, 7, b, 0, NRW, tile)),
                call("VectorGemm.kernelRows", tile -> VectorGemm.kernelRows(-1, a, 0, 8, 16, 24, 32, 40, 48, 56, b, 0, tile)),
                call("VectorGemm.kernelCopiedRows", tile -> VectorGemm.kernelCopiedRows(-1, a, 0, b, 0, tile)),
                call("PackedKernels.kernel6x2", tile -> PackedKernels.kernel(6, -1, a, 0, b, 0, tile)),
                call("PackedKernels.kernel8x2", tile -> PackedKernels.kernel(8, -1, a, 0, b, 0, tile)),
                call("PackedKernels.kernel12x2", tile -> PackedKernels.kernel(12, -1, a, 0, b, 0, tile)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("countingCalls")
    void aNegativeDepthWritesNothing(String name, Consumer<float[]> call) {
        float[] tile = filled(12 * NRW, Float.NaN);
        call.accept(tile);
        assertArrayEquals(filled(12 * NRW, Float.NaN), tile, name + " wrote into its tile");
    }

    private static Arguments call(String name, Consumer<float[]> call) {
        return Arguments.of(name, call);
    }

    private static float[] filled(int n, float v) {
        float[] x = new float[n];
        Arrays.fill(x, v);
        return x;
    }
}
