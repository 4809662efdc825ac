package dev.tessera.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link ClKernels#twice}: a program build that fails is tried once more (a driver's passing file
 * error), and a build that fails twice reports the second failure with the file and device. No
 * OpenCL device is needed: the builds are scripted.
 */
class BuildRetryTest {

    @Test
    void aBuildThatSucceedsRunsOnce() {
        Deque<ClKernels.Build<String>> builds = script(new ClKernels.Build<>("program", null));
        assertEquals("program", ClKernels.twice("a.c", "dev", builds::pop));
        assertTrue(builds.isEmpty());
    }

    @Test
    void aBuildThatFailsOnceIsTriedAgain() {
        Deque<ClKernels.Build<String>> builds = script(new ClKernels.Build<>(null, "CL_BUILD_PROGRAM_FAILURE); log: rename"),
                new ClKernels.Build<>("program", null));
        assertEquals("program", ClKernels.twice("pool.c", "dev", builds::pop));
        assertTrue(builds.isEmpty());
    }

    @Test
    void aBuildThatFailsTwiceThrowsWithTheSecondLog() {
        Deque<ClKernels.Build<String>> builds = script(new ClKernels.Build<>(null, "first log"),
                new ClKernels.Build<>(null, "CL_BUILD_PROGRAM_FAILURE); build log:\nerror: x undeclared"),
                new ClKernels.Build<>("never reached", null));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ClKernels.twice("bad.c", "pthread-cpu", builds::pop));
        assertTrue(e.getMessage().contains("bad.c") && e.getMessage().contains("pthread-cpu")
                && e.getMessage().contains("x undeclared") && e.getMessage().contains("twice"), e.getMessage());
        assertEquals(1, builds.size());
    }

    @SafeVarargs
    private static Deque<ClKernels.Build<String>> script(ClKernels.Build<String>... builds) {
        return new ArrayDeque<>(List.of(builds));
    }
}
