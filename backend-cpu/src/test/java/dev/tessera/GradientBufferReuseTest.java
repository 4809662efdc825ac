package dev.tessera;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

/** A leaf's existing gradient is accumulated into in place, so its buffer is reused across steps. */
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
}
