package dev.tessera.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.cpu.ChildJvm;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Nothing of OpenCL is loaded by a program that only uses the CPU, though the backend is on the classpath. */
class LazyProbeTest {
    @Test
    void aCpuOnlyProgramLoadsNoOpenClClass() throws Exception {
        ChildJvm.Result r = ChildJvm.run(Duration.ofSeconds(60), Map.of(), CpuOnlyMain.class.getName(),
                "--add-modules=jdk.incubator.vector", "-verbose:class");
        assertTrue(r.finished(), r.output());
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("sum=12.0"), r.output());
        assertTrue(r.output().contains("dev.tessera.cpu.CpuBackend "), "the run loads classes verbosely: " + r.output());
        assertFalse(r.output().contains("org.jocl."), "JOCL was loaded by a CPU-only program");
        java.util.List<String> loaded = r.output().lines().filter(l -> l.contains(" dev.tessera.opencl.")).toList();
        assertFalse(loaded.stream().anyMatch(l -> l.contains("dev.tessera.opencl.ClProbe ")
                || l.contains("dev.tessera.opencl.OpenClBackend ")), "the OpenCL devices were probed: " + loaded);
    }
}
