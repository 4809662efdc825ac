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

    @Test
    void productsOfOneIntermediateAccumulateItsGradientInPlace() {
        // A weight seen through a view (as a recurrence does) multiplies five states on the left and
        // its transpose five on the right: from the third contribution on, the GEMM adds into the sum.
        Tensor w = Checks.randn(11, 6, 4).requiresGrad(true);
        Tensor[] hs = new Tensor[5];
        for (int i = 0; i < hs.length; i++) {
            hs[i] = Checks.randn(20 + i, 4, 3).requiresGrad(true);
        }
        Tensor view = w.reshape(6, 4);
        Tensor loss = null;
        for (Tensor h : hs) {
            Tensor left = view.matmul(h).tanh().sum();
            Tensor right = h.t().matmul(view.t()).mul(h.t().matmul(view.t())).sum();
            Tensor term = left.add(right);
            loss = loss == null ? term : loss.add(term);
        }
        loss.backward();
        // The same sum, one product at a time, each on its own leaf copy of the weight.
        double[] expected = new double[24];
        for (Tensor h : hs) {
            Tensor wl = w.detach().requiresGrad(true);
            Tensor hl = h.detach();
            wl.matmul(hl).tanh().sum().add(hl.t().matmul(wl.t()).mul(hl.t().matmul(wl.t())).sum()).backward();
            float[] g = wl.grad().toFloatArray();
            for (int i = 0; i < g.length; i++) {
                expected[i] += g[i];
            }
        }
        float[] actual = w.grad().toFloatArray();
        for (int i = 0; i < actual.length; i++) {
            org.junit.jupiter.api.Assertions.assertEquals(expected[i], actual[i], 1e-4 * (1 + Math.abs(expected[i])),
                    "element " + i);
        }
        GradCheck.assertGradients(in -> {
            Tensor v = in[0].reshape(6, 4);
            return v.matmul(in[1]).sum().add(v.matmul(in[2]).tanh().sum()).add(in[1].t().matmul(v.t()).square().sum())
                    .add(v.matmul(in[1]).mul(v.matmul(in[2])).sum());
        }, Checks.randn(12, 6, 4), Checks.randn(13, 4, 3), Checks.randn(14, 4, 3));
    }
}
