package dev.tessera.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.tessera.Device;
import dev.tessera.DeviceInfo;
import dev.tessera.cpu.ChildJvm;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What the probe reports: on a machine without the NVIDIA driver, one sentence saying to install
 * it, the CPU as the best device and nothing failing; with a GPU, its name, compute capability,
 * memory, driver and GEMM.
 */
class ProbeTest {
    /** Whether the dynamic linker can find libcuda.so.1 (ldconfig's cache or LD_LIBRARY_PATH), without loading it. */
    static boolean driverLibraryPresent() throws IOException, InterruptedException {
        String path = System.getenv("LD_LIBRARY_PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                if (!dir.isEmpty() && Files.exists(Path.of(dir, "libcuda.so.1"))) {
                    return true;
                }
            }
        }
        for (String ldconfig : new String[] {"/sbin/ldconfig", "/usr/sbin/ldconfig"}) {
            if (Files.isExecutable(Path.of(ldconfig))) {
                Process p = new ProcessBuilder(ldconfig, "-p").redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                p.waitFor(30, TimeUnit.SECONDS);
                return out.contains("libcuda.so.1 ");
            }
        }
        return Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/libcuda.so.1")) || Files.exists(Path.of("/usr/lib64/libcuda.so.1"));
    }

    @Test
    void withoutTheDriverTheProbeSaysToInstallItAndTheCpuIsBest() throws Exception {
        assumeFalse(driverLibraryPresent(), "libcuda.so.1 is installed here: the no-driver path cannot be shown");
        ChildJvm.Result r = ChildJvm.run(Duration.ofSeconds(60), Map.of(), ProbeMain.class.getName(),
                "--add-modules=jdk.incubator.vector");
        r.assertSucceeded();
        String sentence = "the NVIDIA driver library (libcuda.so.1) cannot be loaded, so no NVIDIA driver is installed; "
                + Availability.INSTALL_DRIVER;
        assertTrue(r.output().contains("device=cuda:0|false|" + sentence + "\n"), r.output());
        assertTrue(r.output().contains("Tessera device cuda:0 unavailable: CUDA (" + sentence + ")"),
                "the log says it too: " + r.output());
        assertTrue(r.output().contains("best=cpu"), r.output());
        assertTrue(r.output().contains("sum=6.0"), r.output());
        assertFalse(r.output().contains("Exception"), r.output());
    }

    @Test
    void aUsableGpuIsListedWithItsCapabilitiesAndIsBest() {
        DeviceInfo info = CudaTestDevice.info();
        assertTrue(info != null, "the CUDA backend reports cuda:0 (usable or not): " + Device.available());
        if (!info.usable()) {
            assertNotEquals(CudaTestDevice.device(), Device.best(), "an unusable GPU is never best");
            assertTrue(info.detail().matches(".*(install|update|check|use a).*"), "says what to do: " + info.detail());
            return;
        }
        assertTrue(info.detail().matches("compute capability \\d+\\.\\d+, [0-9.]+ GiB, \\d+ multiprocessors, driver for CUDA"
                + " \\d+\\.\\d+, (matrix products via cuBLAS|matrix products via the own GEMM kernel.*|libcublas.so.12 is not"
                + " installed, so matrix products use Tessera's own GEMM kernel.*|cuBLAS does not load.*)"), info.detail());
        assertFalse(info.name().isEmpty());
        assertEquals(CudaTestDevice.device(), Device.best());
    }
}
