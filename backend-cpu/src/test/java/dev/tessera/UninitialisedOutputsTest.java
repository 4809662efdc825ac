package dev.tessera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Outputs allocated without zeroing ({@link Kernels#uninitialised}): the test JVMs run with {@code
 * tessera.poisonUninitialised}, so every such output starts as NaN on every device, and a kernel
 * that leaves part of one unwritten fails the test that runs it instead of passing on a lucky zero.
 */
class UninitialisedOutputsTest {

    @Test
    void theSuiteRunsWithPoisonedOutputs() {
        assertTrue(Boolean.getBoolean("tessera.poisonUninitialised"),
                "the build's surefire configuration sets tessera.poisonUninitialised=true");
    }

    @Test
    void floatOutputsStartAsNaN() {
        Tensor t = Kernels.uninitialised(TestDevice.backend(), DType.FLOAT32, new int[] {3, 700});
        for (float x : t.toFloatArray()) {
            assertTrue(Float.isNaN(x), "every element is NaN before a kernel writes it, got " + x);
        }
    }

    @Test
    void intOutputsStartAsThePoisonValue() {
        Tensor t = Kernels.uninitialised(TestDevice.backend(), DType.INT32, new int[] {5, 3});
        for (int x : t.toIntArray()) {
            assertEquals(Kernels.POISON_INT, x);
        }
    }

    @Test
    void opsThatOverwriteTheirOutputGiveNoNaN() {
        // One op of each kind that allocates its output uninitialised: the values must all be written.
        Tensor a = Tensor.rand(new Generator(3), 37, 41).to(TestDevice.get());
        Tensor b = Tensor.rand(new Generator(4), 41, 29).to(TestDevice.get());
        Tensor[] results = {a.exp(), a.add(a), a.matmul(b), a.t().contiguous(), a.softmax(1), a.linear(b.t(), null),
            FusedAttention.compute(a.unsqueeze(0), a.unsqueeze(0), a.unsqueeze(0), 0.5f)};
        for (Tensor r : results) {
            for (float x : r.toFloatArray()) {
                assertTrue(Float.isFinite(x), "finite, got " + x);
            }
        }
    }
}
