package dev.tessera.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.cpu.ChildJvm;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Nothing of CUDA is loaded by a program that only uses the CPU, though the backend is on the classpath. */
class LazyProbeTest {
    @Test
    void aCpuOnlyProgramLoadsNoJCudaClass() throws Exception {
        ChildJvm.Result r = ChildJvm.run(Duration.ofSeconds(60), Map.of(), CpuOnlyMain.class.getName(),
                "--add-modules=jdk.incubator.vector", "-verbose:class");
        r.assertSucceeded();
        assertTrue(r.output().contains("sum=12.0"), r.output());
        assertTrue(r.output().contains("dev.tessera.cpu.CpuBackend "), "the run loads classes verbosely: " + r.output());
        List<String> jcuda = r.output().lines().filter(l -> l.contains(" jcuda.")).toList();
        assertEquals(List.of(), jcuda, "JCuda was loaded by a CPU-only program");
        List<String> loaded = r.output().lines().filter(l -> l.contains(" dev.tessera.cuda.")).toList();
        assertFalse(loaded.stream().anyMatch(l -> l.contains("dev.tessera.cuda.CudaProbe ")
                || l.contains("dev.tessera.cuda.CudaBackend ")), "the CUDA devices were probed: " + loaded);
    }
}
