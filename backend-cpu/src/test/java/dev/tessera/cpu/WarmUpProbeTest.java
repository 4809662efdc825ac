package dev.tessera.cpu;

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

    private static void assumeAllocationCounted() {
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean bean
                && bean.isThreadAllocatedMemorySupported() && bean.isThreadAllocatedMemoryEnabled(),
                "this JVM does not count allocated bytes");
    }
}
