package dev.tessera;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Memory scopes and memory statistics on the kit's device. The CPU backend counts the heap storages
 * that open scopes hold; a device backend counts every live buffer until it is released or the
 * cleaner frees it.
 */
class MemoryScopeTest {

    /** A two-layer perceptron trained by hand (no nn module), with the intermediates of its last step. */
    private static final class Mlp {
        final Tensor w1 = Tensor.randn(new Generator(1), 4, 8).mul(0.5f).detach().requiresGrad(true);
        final Tensor b1 = Tensor.zeros(8).requiresGrad(true);
        final Tensor w2 = Tensor.randn(new Generator(2), 8, 1).mul(0.5f).detach().requiresGrad(true);
        final Tensor x = Tensor.randn(new Generator(3), 16, 4);
        final Tensor y = Tensor.randn(new Generator(4), 16, 1);
        final List<Tensor> intermediates = new ArrayList<>();

        Tensor[] params() {
            return new Tensor[] {w1, b1, w2};
        }

        /** Forward, backward and an SGD update; returns the loss. */
        Tensor step() {
            intermediates.clear();
            for (Tensor p : params()) {
                p.zeroGrad();
            }
            Tensor pre = x.matmul(w1).add(b1);
            Tensor h = pre.relu();
            Tensor out = h.matmul(w2);
            Tensor loss = out.sub(y).square().mean();
            loss.backward();
            Tensor update;
            try (var ng = Tensor.noGrad()) {
                update = w1.grad().mul(0.1f);
                w1.subInPlace(update);
                b1.subInPlace(b1.grad().mul(0.1f));
                w2.subInPlace(w2.grad().mul(0.1f));
            }
            intermediates.addAll(List.of(pre, h, out, update));
            return loss;
        }
    }

    private static long live() {
        return TestDevice.get().memoryStats().liveBuffers();
    }

    private static void assertReleased(Tensor t) {
        IllegalStateException e = assertThrows(IllegalStateException.class, t::toFloatArray);
        assertTrue(e.getMessage().contains("released by a MemoryScope"), e.getMessage());
    }

    @Test
    void aScopeReleasesEveryIntermediateAndKeepsParametersGradientsAndKeptTensors() {
        Mlp mlp = new Mlp();
        long before = live();
        Tensor loss;
        try (MemoryScope scope = MemoryScope.open()) {
            loss = scope.keep(mlp.step());
            assertTrue(scope.size() > 10, "the step's storages are registered: " + scope.size());
        }
        for (Tensor t : mlp.intermediates) {
            assertReleased(t);
        }
        assertTrue(Float.isFinite(loss.item()));
        for (Tensor p : mlp.params()) {
            assertEquals(p.numel(), p.toFloatArray().length);
            assertNotNull(p.grad());
            assertEquals(p.numel(), p.grad().toFloatArray().length);
        }
        if (TestDevice.isCpu()) {
            assertEquals(before, live(), "no scope holds anything any more");
        } else {
            // A device counts every live buffer: what survives the scope is the kept loss and the
            // three gradients (earlier garbage may have been freed by the cleaner meanwhile).
            assertTrue(live() <= before + 4, "the scope released the step's buffers: " + before + " before, " + live() + " after");
        }
    }

    @Test
    void keepPromotesToTheEnclosingScopeLikeAReturnValue() {
        Tensor x = Tensor.of(new float[] {1, 2, 3});
        Tensor inner;
        Tensor temp;
        Tensor outerKept;
        try (MemoryScope outer = MemoryScope.open()) {
            try (MemoryScope scope = MemoryScope.open()) {
                temp = x.add(1f);
                inner = scope.keep(temp.mul(2f).reshape(3, 1)); // a view: its storage is kept
            }
            assertReleased(temp);
            assertArrayEquals(new float[] {4, 6, 8}, inner.toFloatArray());
            assertEquals(1, outer.size(), "the kept storage moved to the outer scope");
            outerKept = outer.keep(inner.add(x.reshape(3, 1)));
        }
        assertReleased(inner);
        assertArrayEquals(new float[] {5, 8, 11}, outerKept.toFloatArray()); // the outermost keep goes to the GC
        assertArrayEquals(new float[] {1, 2, 3}, x.toFloatArray()); // created outside every scope
    }

    @Test
    void useAfterReleaseNamesTheOpAndTheScope() {
        Tensor t;
        try (MemoryScope scope = MemoryScope.open()) {
            t = Tensor.ones(2, 3).mul(3f);
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.add(1f));
        assertTrue(e.getMessage().startsWith("Tensor.add: "), e.getMessage());
        assertTrue(e.getMessage().contains("released by a MemoryScope") && e.getMessage().contains("scope.keep(t)"),
                e.getMessage());
        IllegalStateException item = assertThrows(IllegalStateException.class, t::sum);
        assertTrue(item.getMessage().startsWith("Tensor.sum: "), item.getMessage());
    }

    @Test
    void leavesRequiringGradAndPersistedTensorsCreatedInAScopeSurviveIt() {
        Tensor param;
        Tensor state;
        Tensor plain;
        try (MemoryScope scope = MemoryScope.open()) {
            param = Tensor.randn(new Generator(5), 3).requiresGrad(true);
            state = MemoryScope.persist(Tensor.zeros(3));
            plain = Tensor.zeros(3);
            param.mul(2f).sum().backward();
        }
        assertEquals(3, param.toFloatArray().length);
        assertArrayEquals(new float[] {2, 2, 2}, param.grad().toFloatArray());
        assertArrayEquals(new float[3], state.toFloatArray());
        assertReleased(plain);
    }

    @Test
    void scopesCloseInReverseOrderOnTheirOwnThread() throws Exception {
        MemoryScope outer = MemoryScope.open();
        MemoryScope inner = MemoryScope.open();
        IllegalStateException order = assertThrows(IllegalStateException.class, outer::close);
        assertTrue(order.getMessage().contains("reverse order"), order.getMessage());
        AtomicReference<Throwable> fromOther = new AtomicReference<>();
        Thread other = new Thread(() -> {
            try {
                inner.close();
            } catch (Throwable t) {
                fromOther.set(t);
            }
        });
        other.start();
        other.join();
        assertTrue(fromOther.get() instanceof IllegalStateException, String.valueOf(fromOther.get()));
        inner.close();
        outer.close();
        outer.close(); // twice does nothing
        assertThrows(IllegalStateException.class, () -> inner.keep(Tensor.zeros(1)));
        Tensor after = Tensor.zeros(2); // no scope is open any more: nothing registers it
        assertEquals(2, after.toFloatArray().length);
    }

    /**
     * Memory stays flat over a thousand training steps: the same buffers and bytes at step 100 and
     * step 1,000. On the CPU the statistics count what open scopes hold, so they can be read as they
     * are. A device counts every live buffer, including the unreachable ones earlier tests left for
     * the cleaner, so there each reading first lets the garbage collector settle ({@link
     * #settledStats()}); what remains is the model, its gradients and the current step.
     */
    @Test
    void memoryStatsCountWhatScopesHoldAndStayFlatOverAThousandSteps() {
        Mlp mlp = new Mlp();
        long[] atStep100 = null;
        long cachedAtStep100 = 0;
        for (int step = 1; step <= 1000; step++) {
            try (MemoryScope scope = MemoryScope.open()) {
                mlp.step();
                MemoryStats stats = TestDevice.get().memoryStats();
                assertTrue(stats.liveBuffers() >= scope.size(), "the step's storages are counted: " + stats);
                if (step == 100) {
                    atStep100 = settledStats();
                    cachedAtStep100 = stats.bytesCached();
                } else if (step == 1000) {
                    assertArrayEquals(atStep100, settledStats(), "buffers and bytes at step 100 and step 1,000");
                    // What a device keeps for reuse (on the CPU, the arrays of released storages)
                    // is reused by the next step: it does not grow with the number of steps.
                    assertEquals(cachedAtStep100, stats.bytesCached(), "bytes cached at step 100 and step 1,000");
                }
            }
        }
    }

    /**
     * Live buffers and bytes in use on the kit's device; on any device but the CPU read once the
     * garbage collector has settled (collected, and the cleaner has freed what it found: the
     * count is unchanged over three rounds of System.gc() and a short wait).
     */
    private static long[] settledStats() {
        MemoryStats stats = TestDevice.isCpu() ? TestDevice.get().memoryStats() : SettledMemory.of(TestDevice.get());
        return new long[] {stats.liveBuffers(), stats.bytesInUse()};
    }

    @Test
    void memoryStatsCountAllocationsAndReleases() {
        long[] settled = settledStats(); // on a device, earlier garbage is freed first, not during the test
        long live = settled[0];
        long bytes = settled[1];
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor.zeros(10);
            Tensor.ofInts(new int[] {1, 2, 3});
            assertEquals(2, scope.size());
            assertEquals(live + 2, live());
            assertEquals(bytes + 52, TestDevice.get().memoryStats().bytesInUse());
        }
        assertEquals(live, live());
        assertEquals(bytes, TestDevice.get().memoryStats().bytesInUse());
    }

    @Test
    void toTheSameDeviceAndBackReturnsTheTensorItself() {
        Tensor t = Tensor.ones(2);
        assertSame(t, t.to(TestDevice.get()));
    }
}
