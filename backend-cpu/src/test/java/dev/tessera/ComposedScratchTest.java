package dev.tessera;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The SPI's composed defaults free their temporaries when they return, and the index tables they
 * cache outlive the memory scope of the call that built them.
 */
class ComposedScratchTest {
    private static final Device DEVICE = Device.opencl(5); // any device that no real backend reports

    @Test
    void composedConvolutionAndPoolingLeaveOnlyTheirResultsInTheScope() {
        Generator g = new Generator(3);
        Tensor xCpu = Tensor.randn(g, 2, 3, 9, 9);
        Tensor wCpu = Tensor.randn(g, 4, 3, 3, 3);
        float[] expected = xCpu.conv2d(wCpu, null, 1, 1).maxPool2d(2).toFloatArray();
        try (CountingBackend composed = new CountingBackend(DEVICE, true).install()) {
            Tensor x = xCpu.to(DEVICE);
            Tensor w = wCpu.to(DEVICE);
            for (int round = 0; round < 2; round++) { // the second round reuses the cached index tables
                try (MemoryScope scope = MemoryScope.open()) {
                    Tensor y = x.conv2d(w, null, 1, 1);
                    int afterConv = scope.size();
                    Tensor pooled = y.maxPool2d(2);
                    assertTrue(afterConv <= 2, "conv2d left " + afterConv + " storages in the scope");
                    assertTrue(scope.size() - afterConv <= 3, "maxPool2d left " + (scope.size() - afterConv));
                    assertArrayEquals(expected, pooled.toFloatArray(), 1e-4f);
                }
            }
        }
    }
}
