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
        String name = System.getProperty("os.arch") + ", " + CpuPool.pool().getParallelism() + " threads";
        return List.of(new DeviceInfo(Device.cpu(), name, true, "matrix multiply via " + Gemm.implementation()));
    }

    @Override
    public Backend open(int index) {
        if (index != 0) {
            throw new IllegalArgumentException("cpu backend: there is one CPU device (index 0), got index " + index);
        }
        return CpuBackend.INSTANCE;
    }
}
