package dev.tessera.opencl;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tessera.Device;
import dev.tessera.DeviceInfo;
import dev.tessera.Tensor;
import dev.tessera.cpu.CpuBackendProvider;
import dev.tessera.spi.Backend;

/**
 * The OpenCL device the tests run on ({@code opencl:0}, or {@code -Dtessera.test.opencl=N}) and
 * the CPU backend they compare with; tests call {@link #backend()} first, which skips them (with
 * the probe's reason) where no OpenCL device is usable.
 */
final class ClTestDevice {
    private static final int INDEX = Integer.getInteger("tessera.test.opencl", 0);
    private static final Backend CPU = new CpuBackendProvider().open(0);

    private ClTestDevice() {
    }

    /** Returns the device under test. */
    static Device device() {
        return Device.opencl(INDEX);
    }

    /** Returns the opened backend of the device under test, or skips the calling test with the reason it is unusable. */
    static OpenClBackend backend() {
        DeviceInfo info = null;
        for (DeviceInfo d : Device.available()) {
            if (d.device().equals(device())) {
                info = d;
            }
        }
        assumeTrue(info != null, () -> "no OpenCL device " + device() + ": " + Device.available());
        DeviceInfo found = info;
        assumeTrue(info.usable(), () -> "OpenCL device " + device() + " is not usable: " + found.detail());
        Tensor.zeros(device(), 1); // opens the backend through core
        return OpenClBackendProvider.opened(INDEX);
    }

    /** Returns the CPU backend. */
    static Backend cpu() {
        return CPU;
    }
}
