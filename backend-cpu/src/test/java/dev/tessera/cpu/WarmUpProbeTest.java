package dev.tessera.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * A warm-up probe counts as compiled only when it allocated no more than its calls do by design:
 * boxed vector code allocates, and C1's can be fast enough to pass a time threshold alone. The
 * thresholds here are a second, so that only the allocation decides and nothing depends on this
 * machine's speed.
 */
class WarmUpProbeTest {
    private static final long SECOND = 1_000_000_000L;
    /** Keeps the test's allocations from being optimised away. */
    static volatile Object escape;

    @Test
    void aProbeThatAllocatesIsNotCompiledHoweverFast() {
        assumeAllocationCounted();
        WarmUpProbes.Probe probe = new WarmUpProbes.Probe("boxed", () -> escape = new float[16], 1, SECOND);
        assertFalse(probe.check());
        assertFalse(probe.check());
    }

    @Test
    void aProbeThatAllocatesNothingIsCompiled() {
        WarmUpProbes.Probe probe = new WarmUpProbes.Probe("compiled", () -> { }, 1, SECOND);
        assertTrue(probe.check());
    }

    @Test
    void whatTheCallsAllocateByDesignIsAllowed() {
        WarmUpProbes.Probe probe = new WarmUpProbes.Probe("by design", () -> escape = new float[16], 1, SECOND, 256);
        assertTrue(probe.check());
    }

    @Test
    void aProbeSlowerThanItsThresholdIsNotCompiled() {
        WarmUpProbes.Probe probe = new WarmUpProbes.Probe("slow", () -> { }, 1, -1);
        assertFalse(probe.check());
    }

    @Test
    void countingCallsRunAtEveryCheckAndCount() {
        int[] runs = new int[1];
        WarmUpProbes.Probe probe = new WarmUpProbes.Probe("never fast", () -> { }, 1, -1).counting(() -> runs[0]++);
        for (int i = 0; i < 3; i++) {
            assertFalse(probe.check());
        }
        assertEquals(3, runs[0]);
        assertEquals(3 * (WarmUpProbes.COUNTING_CALLS + 1), probe.callsMade);
    }

    @Test
    void countingCallsGoOnWhileTheKernelWaitsForTheCompiler() {
        int[] runs = new int[1];
        WarmUpProbes.Probe probe = new WarmUpProbes.Probe("never fast", () -> { }, 1, -1).counting(() -> runs[0]++);
        int checks = 0;
        while (!probe.waitingForCompiler()) {
            probe.check();
            checks++;
        }
        // far fewer checks, and timed calls, than calls the JIT needs: the counting calls make up the rest
        assertTrue(checks <= WarmUpProbes.CALLS_TO_TRIGGER / WarmUpProbes.COUNTING_CALLS + 1, checks + " checks");
        probe.check();
        probe.check();
        assertEquals(checks + 2, runs[0]);
    }

    private static void assumeAllocationCounted() {
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean bean
                && bean.isThreadAllocatedMemorySupported() && bean.isThreadAllocatedMemoryEnabled(),
                "this JVM does not count allocated bytes");
    }
}
