package dev.tessera.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.Device;
import dev.tessera.DeviceInfo;
import dev.tessera.cpu.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the probe reports, with OpenCL present and (in a child JVM) without any OpenCL platform. */
class ProbeTest {
    @Test
    void withoutAPlatformTheDeviceIsUnusableWithWhatToInstallAndTheCpuIsBest() throws Exception {
        Path empty = Files.createTempDirectory("no-opencl-icd");
        try {
            ChildJvm.Result r = ChildJvm.run(Duration.ofSeconds(60), Map.of("OCL_ICD_VENDORS", empty.toString()),
                    ProbeMain.class.getName(), "--add-modules=jdk.incubator.vector");
            assertTrue(r.finished(), r.output());
            assertEquals(0, r.exitCode(), r.output());
            assertTrue(r.output().contains("device=opencl:0|false|false|no OpenCL platform is installed"
                    + " (clGetPlatformIDs: CL_PLATFORM_NOT_FOUND_KHR); install an OpenCL driver"), r.output());
            assertTrue(r.output().contains("apt install ocl-icd-libopencl1 pocl-opencl-icd"), r.output());
            assertTrue(r.output().contains("best=cpu"), r.output());
            assertTrue(r.output().contains("sum=6.0"), r.output());
            assertFalse(r.output().contains("Exception"), r.output());
        } finally {
            Files.deleteIfExists(empty);
        }
    }

    @Test
    void listsDevicesWithTypeMemoryUnitsAndVersion() {
        ClTestDevice.backend();
        DeviceInfo info = Device.available().stream().filter(d -> d.device().equals(ClTestDevice.device())).findFirst()
                .orElseThrow();
        assertTrue(info.detail().matches("(GPU|CPU|accelerator|other), \\d+ compute units, [0-9.]+ GiB, OpenCL \\d\\.\\d.*"),
                info.detail());
        assertEquals(info.detail().startsWith("CPU"), info.hostCpu());
        if (info.hostCpu()) {
            assertEquals(Device.cpu(), Device.best(), "an OpenCL CPU device is never preferred over the CPU backend");
        }
    }
}
