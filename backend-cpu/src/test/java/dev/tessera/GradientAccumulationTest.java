package dev.tessera;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

/**
 * How backward sums several gradient contributions to one intermediate tensor: slices of it add
 * into one buffer, and later contributions are added in place. Checked against hand-derived
 * gradients and the gradient checker, including the aliasing cases where a backward rule passes
 * one gradient tensor on to several inputs unchanged.
 */
class GradientAccumulationTest {

    @Test
    void slicesOfOneIntermediateGetTheirRegions() {
        // p = 2x; q, k, v = thirds of p along the last axis (a joint projection); loss uses each differently.
        Tensor x = Checks.randn(3, 4, 6).requiresGrad(true);
        Tensor p = x.mul(2f);
        Tensor q = p.slice(-1, 0, 2, 1);
        Tensor k = p.slice(-1, 2, 4, 1);
        Tensor v = p.slice(-1, 4, 6, 1);
        q.mul(3f).sum().add(k.mul(k).sum()).add(v.sum()).backward();
        float[] xs = x.toFloatArray();
        float[] expected = new float[xs.length];
        for (int i = 0; i < xs.length; i++) {
            int col = i % 6;
            // d/dx: 2 * (3 for q, 2*p for k, 1 for v)
            expected[i] = col < 2 ? 6f : col < 4 ? 2f * 2f * (2f * xs[i]) : 2f;
        }
        assertArrayEquals(expected, x.grad().toFloatArray(), 1e-5f);
    }

    @Test
    void overlappingStridedSlicesAndReuseMatchTheGradientChecker() {
        GradCheck.assertGradients(in -> {
            Tensor h = in[0].tanh();
            Tensor a = h.slice(1, 0, 5, 2);   // columns 0, 2, 4
            Tensor b = h.slice(1, 1, 6, 1);   // columns 1..5, overlapping a
            Tensor c = h.slice(0, 1, 3, 1);   // rows 1, 2
            return a.sum(1, false).mul(b.sum(1, false)).add(c.mul(c).sum()).add(h.sum(0, false).sum());
        }, Checks.randn(5, 4, 6));
    }

    @Test
    void aGradientPassedToSeveralInputsIsNotModifiedInPlace() {
        // add's backward hands the same gradient to both inputs; each input then gets more contributions.
        GradCheck.assertGradients(in -> {
            Tensor a = in[0].mul(1.5f);
            Tensor b = in[0].exp();
            Tensor s = a.add(b);
            return s.mul(a).add(s.mul(b)).add(a.mul(a)).sum();
        }, Checks.randn(9, 3, 4));
        Tensor x = Tensor.of(new float[] {1f, 2f}, 2).requiresGrad(true);
        Tensor y = x.mul(1f);
        Tensor s = y.add(y);
        s.add(y).sum().backward(); // d/dx = 2 + 1 = 3 for each element
        assertArrayEquals(new float[] {3f, 3f}, x.grad().toFloatArray(), 0f);
    }
}
