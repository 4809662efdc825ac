package dev.tessera;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * A leaf's existing gradient is accumulated into in place, and a linear weight's gradient that
 * {@code zeroGrad()} cleared is written into the same buffer by the next backward when nobody
 * outside can see that buffer: its values are those a new buffer would get, bit for bit. The
 * other buffers a backward pass allocates are released when it ends (to the CPU's array pool).
 * ({@code assertArrayEquals} on float arrays compares bit patterns.)
 */
class GradientBufferReuseTest {

    @Test
    void backwardAccumulatesIntoTheExistingGradient() {
        Tensor w = Tensor.of(new float[] {1, 2, 3}).requiresGrad(true);
        w.mul(w).sum().backward(); // 2w
        Tensor grad = w.grad();
        w.mul(3f).sum().backward(); // + 3
        assertSame(grad, w.grad(), "the same gradient tensor, written in place");
        assertArrayEquals(new float[] {5, 7, 9}, grad.toFloatArray());
        try (var ng = Tensor.noGrad()) {
            grad.fill(0f); // what Optimizer.zeroGrad(false) does
        }
        w.sum().backward();
        assertSame(grad, w.grad());
        assertArrayEquals(new float[] {1, 1, 1}, grad.toFloatArray());
    }

    @Test
    void zeroGradKeepsAnUnseenWeightGradientForTheNextBackward() {
        Tensor w = weight();
        Tensor b = Tensor.zeros(5).requiresGrad(true);
        step(w, b, 1);
        Tensor first = w.gradForUpdate();
        w.zeroGrad();
        assertNull(w.gradForUpdate(), "cleared, as with PyTorch's set_to_none");
        step(w, b, 2);
        assertSame(first, w.gradForUpdate(), "the next gradient is written into the kept buffer");
        assertArrayEquals(freshGradient(2, true).toFloatArray(), w.gradForUpdate().toFloatArray(),
                "the bits a new buffer gets");
    }

    @Test
    void aGradientReturnedByGradIsNeverOverwritten() {
        Tensor w = weight();
        step(w, null, 1);
        Tensor seen = w.grad();
        float[] before = seen.toFloatArray();
        w.zeroGrad();
        step(w, null, 2);
        assertNotSame(seen, w.grad());
        assertArrayEquals(before, seen.toFloatArray(), "the caller's tensor keeps its values");
        assertArrayEquals(freshGradient(2, false).toFloatArray(), w.grad().toFloatArray());
    }

    @Test
    void aParameterWithoutAGradientThisStepStaysNull() {
        Tensor w = weight();
        step(w, null, 1);
        w.zeroGrad();
        Tensor other = weight();
        step(other, null, 2);
        assertNull(w.grad(), "a kept buffer is not a gradient");
    }

    @Test
    void aGradientSetByTheUserReplacesTheKeptBuffer() {
        Tensor w = weight();
        step(w, null, 1);
        Tensor kept = w.gradForUpdate();
        w.zeroGrad();
        Tensor mine = Tensor.zeros(5, 3);
        w.setGrad(mine);
        w.setGrad(null);
        step(w, null, 2);
        assertNotSame(kept, w.gradForUpdate());
        assertNotSame(mine, w.gradForUpdate());
        assertArrayEquals(freshGradient(2, false).toFloatArray(), w.gradForUpdate().toFloatArray());
    }

    @Test
    void insideAMemoryScopeTheClearedGradientGoesToTheScope() {
        Tensor w = weight();
        Tensor first;
        try (MemoryScope scope = MemoryScope.open()) {
            step(w, null, 1);
            first = w.gradForUpdate();
            w.zeroGrad(); // the scope frees it when it closes: it must not come back
        }
        step(w, null, 2);
        assertNotSame(first, w.gradForUpdate());
        assertArrayEquals(freshGradient(2, false).toFloatArray(), w.gradForUpdate().toFloatArray());
    }

    @Test
    void backwardKeepsTheLeafGradientsItAllocates() {
        Tensor w = Tensor.rand(new Generator(1), 53, 53).requiresGrad(true);
        Tensor x = Tensor.rand(new Generator(2), 37, 53);
        Tensor expected;
        try (var ng = Tensor.noGrad()) {
            // d/dw sum(relu(x w) w) = relu(x w)^T 1 + x^T ((1 w^T) * step(x w))
            Tensor h = x.matmul(w);
            Tensor ones = Tensor.ones(37, 53);
            expected = h.relu().t().matmul(ones).add(x.t().matmul(ones.matmul(w.t()).mul(h.gt(0f))));
        }
        x.matmul(w).relu().matmul(w).sum().backward(); // the temporaries of the pass are freed here
        float[] got = w.grad().toFloatArray(); // the leaf's gradient is not
        float[] want = expected.toFloatArray();
        for (int i = 0; i < want.length; i++) {
            assertTrue(Math.abs(got[i] - want[i]) <= 1e-4f * (1 + Math.abs(want[i])), "element " + i);
        }
    }

    @Test
    @CpuOnly("reads the CPU backend's array pool")
    void backwardPoolsItsTemporaries() {
        // 37 x 53: a length no other test's arrays have, so the pool holds none before.
        Tensor w = Tensor.rand(new Generator(1), 53, 53).requiresGrad(true);
        Tensor x = Tensor.rand(new Generator(2), 37, 53);
        long before = Device.cpu().memoryStats().bytesCached();
        x.matmul(w).relu().matmul(w).sum().backward();
        long after = Device.cpu().memoryStats().bytesCached();
        assertTrue(after >= before + 4L * 37 * 53, "the 37 x 53 gradients of the pass are pooled: " + before + " -> " + after);
    }

    /** A 5 x 3 weight with fixed values, requiring grad. */
    private static Tensor weight() {
        return Tensor.rand(new Generator(11), 5, 3).sub(0.5f).requiresGrad(true);
    }

    /** Forward and backward of a linear layer on an input that depends on {@code seed}. */
    private static void step(Tensor w, Tensor b, int seed) {
        Tensor x = Tensor.randn(new Generator(seed), 7, 3);
        x.linear(w, b).square().sum().backward();
    }

    /** The weight's gradient of {@link #step} on a new weight, whose gradient buffer is new. */
    private static Tensor freshGradient(int seed, boolean zeroBias) {
        Tensor w = weight();
        step(w, zeroBias ? Tensor.zeros(5).requiresGrad(true) : null, seed);
        return w.grad();
    }
}
