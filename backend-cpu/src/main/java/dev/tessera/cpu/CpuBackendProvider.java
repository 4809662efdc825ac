package dev.tessera.cpu;

import dev.tessera.Device;
import dev.tessera.DeviceInfo;
import dev.tessera.DeviceType;
import dev.tessera.spi.Backend;
import dev.tessera.spi.BackendProvider;
import java.util.List;

/** Registers the CPU backend with {@link java.util.ServiceLoader}; the CPU is always usable. */
public final class CpuBackendProvider implements BackendProvider {

    /** Creates the provider; called by {@link java.util.ServiceLoader}. */
    public CpuBackendProvider() {
    }

    @Override
    public DeviceType type() {
        return DeviceType.CPU;
    }

    @Override
    public List<DeviceInfo> probe() {
        String name = processorName() + ", " + CpuPool.parallelism() + " threads";
        return List.of(new DeviceInfo(Device.cpu(), name, true, "matrix multiply via " + Gemm.implementation()));
    }

    /** The processor's model name from /proc/cpuinfo where there is one, else the architecture. */
    private static String processorName() {
        try (var lines = java.nio.file.Files.lines(java.nio.file.Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .filter(n -> !n.isEmpty()).findFirst().orElse(System.getProperty("os.arch"));
        } catch (java.io.IOException | RuntimeException e) {
            return System.getProperty("os.arch"); // not Linux, or not readable: the architecture will do
        }
    }

    @Override
    public Backend open(int index) {
        if (index != 0) {
            throw new IllegalArgumentException("cpu backend: there is one CPU device (index 0), got index " + index);
        }
        return CpuBackend.INSTANCE;
    }
}
