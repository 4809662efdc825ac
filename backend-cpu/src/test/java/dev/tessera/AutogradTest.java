package dev.tessera;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Autograd semantics: accumulation across backward calls until zeroGrad, gradients in the leaf's
 * shape under broadcasting, detach, noGrad scopes (record nothing, nest, are per thread),
 * backward's argument checks, freed and retained graphs, diamond graphs, leaf/non-leaf
 * bookkeeping, INT32 tensors refusing requiresGrad, and non-differentiable outputs.
 */
@SuppressWarnings("try") // noGrad() scopes are opened for their effect and never referenced
class AutogradTest {

    private static Tensor leaf(float... v) {
        return Tensor.of(v).requiresGrad(true);
    }

    @Test
    void simpleGradient() {
        Tensor x = leaf(1, 2, 3);
        Tensor y = x.mul(x).mul(3f).sum(); // d/dx = 6x
        assertTrue(y.requiresGrad());
        assertFalse(y.isLeaf());
        assertNotNull(y.gradFnName());
        y.backward();
        assertArrayEquals(new float[] {6, 12, 18}, x.grad().toFloatArray());
        assertTrue(x.isLeaf());
        assertNull(x.gradFnName());
    }

    @Test
    void gradientsAccumulateUntilZeroGrad() {
        Tensor x = leaf(1, 2);
        x.mul(2f).sum().backward();
        x.mul(3f).sum().backward();
        assertArrayEquals(new float[] {5, 5}, x.grad().toFloatArray());
        x.zeroGrad();
        assertNull(x.grad());
        x.square().sum().backward();
        assertArrayEquals(new float[] {2, 4}, x.grad().toFloatArray());
    }

    @Test
    void accumulatedGradIsNotAliasedWithOtherLeaves() {
        Tensor a = leaf(1, 2);
        Tensor b = leaf(3, 4);
        a.add(b).sum().backward(); // the same gradient tensor flows to both
        try (var ng = Tensor.noGrad()) {
            a.grad().fill(100f);
        }
        assertArrayEquals(new float[] {1, 1}, b.grad().toFloatArray());
    }

    @Test
    void gradHasTheLeafShapeUnderBroadcasting() {
        Tensor a = Tensor.ones(3, 1).requiresGrad(true);
        Tensor b = Tensor.of(new float[] {1, 2, 3, 4}).requiresGrad(true);
        Tensor s = Tensor.scalar(2f).requiresGrad(true);
        a.add(b).mul(s).sum().backward();
        assertArrayEquals(new int[] {3, 1}, a.grad().shape());
        assertArrayEquals(new float[] {8, 8, 8}, a.grad().toFloatArray());
        assertArrayEquals(new int[] {4}, b.grad().shape());
        assertArrayEquals(new float[] {6, 6, 6, 6}, b.grad().toFloatArray());
        assertEquals(0, s.grad().dim());
        assertEquals(3 * 4 + 3 * 10, s.grad().item());
        // a leaf of shape [1, 4] broadcast against [2, 3, 4]
        Tensor c = Tensor.ones(1, 4).requiresGrad(true);
        c.mul(Tensor.ones(2, 3, 4)).sum().backward();
        assertArrayEquals(new int[] {1, 4}, c.grad().shape());
        assertArrayEquals(new float[] {6, 6, 6, 6}, c.grad().toFloatArray());
    }

    @Test
    void gradOfAViewLeafInputGoesToTheLeaf() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).requiresGrad(true);
        x.t().slice(0, 0, 3, 2).mul(Tensor.of(new float[] {10, 20})).sum().backward();
        // t() is [3, 2]; rows 0 and 2 are columns 0 and 2 of x
        assertArrayEquals(new float[] {10, 0, 10, 20, 0, 20}, x.grad().toFloatArray());
        assertArrayEquals(new int[] {2, 3}, x.grad().shape());
    }

    @Test
    void detachStopsGradients() {
        Tensor x = leaf(1, 2, 3);
        Tensor d = x.detach();
        assertFalse(d.requiresGrad());
        assertTrue(d.isLeaf());
        x.mul(d).sum().backward(); // only the first factor is tracked
        assertArrayEquals(new float[] {1, 2, 3}, x.grad().toFloatArray());
        Tensor y = x.mul(2f).detach().mul(x);
        assertTrue(y.requiresGrad());
        assertFalse(x.mul(2f).detach().requiresGrad());
    }

    @Test
    void noGradRecordsNothingAndNests() {
        Tensor x = leaf(1, 2);
        assertTrue(GradMode.isEnabled());
        try (var ng = Tensor.noGrad()) {
            assertFalse(GradMode.isEnabled());
            Tensor y = x.mul(2f);
            assertFalse(y.requiresGrad());
            assertTrue(y.isLeaf());
            try (var inner = Tensor.noGrad()) {
                assertFalse(x.exp().requiresGrad());
            }
            assertFalse(GradMode.isEnabled(), "closing an inner noGrad keeps the outer one");
            try (var eg = Tensor.enableGrad()) {
                assertTrue(GradMode.isEnabled());
                assertTrue(x.mul(2f).requiresGrad());
            }
            assertFalse(GradMode.isEnabled());
            assertFalse(x.add(x).requiresGrad());
        }
        assertTrue(GradMode.isEnabled());
        assertTrue(x.mul(2f).requiresGrad());
    }

    @Test
    void closingTwiceIsHarmless() {
        GradMode g = Tensor.noGrad();
        g.close();
        try (var ng = Tensor.noGrad()) {
            g.close(); // must not re-enable
            assertFalse(GradMode.isEnabled());
        }
        assertTrue(GradMode.isEnabled());
    }

    @Test
    void gradModeIsPerThread() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch checked = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread other = new Thread(() -> {
            try (var ng = Tensor.noGrad()) {
                inside.countDown();
                checked.await();
                if (GradMode.isEnabled() || leaf(1).mul(2f).requiresGrad()) {
                    failure.set(new AssertionError("noGrad lost on its own thread"));
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        other.start();
        inside.await();
        try {
            assertTrue(GradMode.isEnabled(), "another thread's noGrad must not affect this one");
            Tensor x = leaf(3);
            Tensor y = x.mul(x);
            assertTrue(y.requiresGrad());
            y.sum().backward();
            assertEquals(6f, x.grad().item());
        } finally {
            checked.countDown();
            other.join();
        }
        assertNull(failure.get());
        // a fresh thread starts with grad mode on, even while this one is in noGrad
        AtomicReference<Boolean> seen = new AtomicReference<>();
        try (var ng = Tensor.noGrad()) {
            Thread t = new Thread(() -> seen.set(GradMode.isEnabled()));
            t.start();
            t.join();
        }
        assertEquals(Boolean.TRUE, seen.get());
    }

    @Test
    void gradModeScopeMustBeClosedOnItsThread() throws Exception {
        GradMode g = Tensor.noGrad();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                g.close();
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        t.start();
        t.join();
        g.close();
        assertTrue(thrown.get() instanceof IllegalStateException, String.valueOf(thrown.get()));
        assertTrue(GradMode.isEnabled());
    }

    @Test
    void backwardOnNonScalarNeedsAGradient() {
        Tensor x = leaf(1, 2, 3);
        Tensor y = x.mul(2f);
        Checks.assertIae(y::backward, "backward", "[3]");
        y.backward(Tensor.of(new float[] {1, 10, 100}));
        assertArrayEquals(new float[] {2, 20, 200}, x.grad().toFloatArray());
        Checks.assertIae(() -> x.mul(2f).backward(Tensor.ones(2)), "backward", "[2]", "[3]");
        // a one-element tensor of any rank can call backward() directly
        Tensor z = leaf(5).reshape(1, 1).mul(2f);
        z.backward();
    }

    @Test
    void backwardOnATensorOutsideTheGraphThrows() {
        Tensor x = Tensor.of(new float[] {1, 2});
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> x.sum().backward());
        assertTrue(e.getMessage().contains("requires"), e.getMessage());
    }

    @Test
    void secondBackwardThroughAFreedGraphThrowsHelpfully() {
        Tensor x = leaf(1, 2);
        Tensor y = x.exp().sum();
        y.backward();
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().contains("freed"), e.getMessage());
        assertTrue(e.getMessage().contains("retain") || e.getMessage().contains("true"), e.getMessage());
    }

    @Test
    void retainGraphAllowsASecondBackward() {
        Tensor x = leaf(1, 2);
        Tensor y = x.square().sum();
        y.backward(Tensor.scalar(1f), true);
        y.backward(Tensor.scalar(1f), true);
        assertArrayEquals(new float[] {4, 8}, x.grad().toFloatArray());
        y.backward(Tensor.scalar(0.5f));
        assertArrayEquals(new float[] {5, 10}, x.grad().toFloatArray());
        assertThrows(IllegalStateException.class, y::backward);
    }

    @Test
    void diamondGraphSumsBothPaths() {
        Tensor x = leaf(2, 3);
        Tensor a = x.mul(3f);
        Tensor b = x.exp();
        Tensor z = a.mul(b).sum(); // d/dx = 3 e^x + 3x e^x
        z.backward();
        float[] g = x.grad().toFloatArray();
        assertEquals(3 * Math.exp(2) * 3, g[0], 1e-5 * 3 * Math.exp(2) * 3);
        assertEquals(3 * Math.exp(3) * 4, g[1], 1e-5 * 3 * Math.exp(3) * 4);
        // a shared intermediate used by three consumers
        Tensor w = leaf(1.5f);
        Tensor h = w.square();
        h.add(h).add(h.mul(h)).sum().backward(); // 2h + h^2, h = w^2 -> (2 + 2h) * 2w
        assertEquals((2 + 2 * 2.25f) * 3f, w.grad().item(), 1e-5);
    }

    @Test
    void onlyLeavesThatRequireGradGetGradients() {
        Tensor x = leaf(1, 2);
        Tensor c = Tensor.of(new float[] {3, 4});
        Tensor mid = x.mul(c);
        mid.sum().backward();
        assertNull(c.grad());
        assertNull(mid.grad(), "non-leaf tensors do not keep .grad");
        assertArrayEquals(new float[] {3, 4}, x.grad().toFloatArray());
    }

    @Test
    void requiresGradRules() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.ofInts(new int[] {1, 2}).requiresGrad(true));
        assertTrue(e.getMessage().contains("INT32"), e.getMessage());
        Tensor x = leaf(1);
        Tensor y = x.mul(2f);
        assertThrows(IllegalArgumentException.class, () -> y.requiresGrad(false));
        Tensor z = Tensor.of(new float[] {1}).requiresGrad(true).requiresGrad(false);
        assertFalse(z.requiresGrad());
        assertFalse(z.mul(2f).requiresGrad());
    }

    @Test
    void nonDifferentiableOutputsAreNotRecorded() {
        Tensor x = leaf(1, 5, 3);
        assertFalse(x.gt(2f).requiresGrad());
        assertFalse(x.eq(x).requiresGrad());
        assertFalse(x.argmax(0).requiresGrad());
        assertEquals(DType.INT32, x.argmax(0).dtype());
        assertFalse(x.to(DType.INT32).requiresGrad());
        // a comparison used as a mask passes gradient only through the tensor it multiplies
        x.mul(x.gt(2f)).sum().backward();
        assertArrayEquals(new float[] {0, 1, 1}, x.grad().toFloatArray());
    }

    @Test
    void setGradChecksTheShape() {
        Tensor x = leaf(1, 2);
        x.setGrad(Tensor.of(new float[] {7, 8}));
        x.sum().backward();
        assertArrayEquals(new float[] {8, 9}, x.grad().toFloatArray());
        Checks.assertIae(() -> x.setGrad(Tensor.ones(3)), "setGrad", "[3]", "[2]");
        x.setGrad(null);
        assertNull(x.grad());
    }

    @Test
    void backwardOfALeafItself() {
        Tensor x = Tensor.scalar(4f).requiresGrad(true);
        x.backward();
        assertEquals(1f, x.grad().item());
    }

    @Test
    void deepChainDoesNotOverflowTheStack() {
        Tensor x = leaf(1f);
        Tensor y = x;
        for (int i = 0; i < 20000; i++) {
            y = y.mul(1f);
        }
        y.sum().backward();
        assertEquals(1f, x.grad().item());
    }

    @Test
    void backwardInsideNoGradStillWorks() {
        Tensor x = leaf(2f);
        Tensor y = x.square().sum();
        try (var ng = Tensor.noGrad()) {
            y.backward();
        }
        assertEquals(4f, x.grad().item());
        assertFalse(x.grad().requiresGrad(), "gradients are not themselves recorded");
    }

    @Test
    void maximumAndMinimumSplitTiesEvenly() {
        Tensor a = leaf(1, 2, 5);
        Tensor b = leaf(1, 3, 4);
        a.maximum(b).sum().backward();
        assertArrayEquals(new float[] {0.5f, 0, 1}, a.grad().toFloatArray());
        assertArrayEquals(new float[] {0.5f, 1, 0}, b.grad().toFloatArray());
        Tensor c = leaf(1, 2, 5);
        Tensor d = leaf(1, 3, 4);
        c.minimum(d).sum().backward();
        assertArrayEquals(new float[] {0.5f, 1, 0}, c.grad().toFloatArray());
        assertArrayEquals(new float[] {0.5f, 0, 1}, d.grad().toFloatArray());
    }

    @Test
    void clampPassesGradientInsideAndAtTheBounds() {
        Tensor x = leaf(-2, -1, 0, 1, 2);
        x.clamp(-1f, 1f).sum().backward();
        assertArrayEquals(new float[] {0, 1, 1, 1, 0}, x.grad().toFloatArray());
    }

    /** PyTorch: d(x^0)/dx = 0 everywhere, including x = 0 (it special-cases exponent 0). */
    @Test
    void powZeroHasZeroGradientAtZero() {
        Tensor x = leaf(0, 1, 2);
        x.pow(0f).sum().backward();
        assertArrayEquals(new float[] {0, 0, 0}, x.grad().toFloatArray());
    }

    /**
     * PyTorch masks the exponent gradient {@code a^b * ln a} to 0 where {@code a == 0} and
     * {@code b >= 0} (the limit of b * ln a * a^b); a NaN there poisons every parameter upstream,
     * e.g. for a learnable exponent applied to ReLU outputs.
     */
    @Test
    void powTensorExponentGradientIsFiniteAtZeroBase() {
        Tensor base = leaf(0, 1, 2);
        Tensor exponent = leaf(2, 2, 2);
        base.pow(exponent).sum().backward();
        assertArrayEquals(new float[] {0, 2, 4}, base.grad().toFloatArray());
        float[] ge = exponent.grad().toFloatArray();
        assertEquals(0f, ge[0], "d(0^b)/db at b = 2");
        assertEquals(0f, ge[1], 1e-7);
        assertEquals(4 * Math.log(2), ge[2], 1e-5);
    }
}
