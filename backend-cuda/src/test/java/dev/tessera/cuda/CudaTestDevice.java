package dev.tessera.cuda;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tessera.Device;
import dev.tessera.DeviceInfo;
import dev.tessera.Tensor;

/**
 * The GPU the tests run on ({@code cuda:0}, or {@code -Dtessera.test.cuda=N}); tests call {@link
 * #backend()} first, which skips them, with the probe's reason, where no CUDA device is usable.
 */
final class CudaTestDevice {
    private static final int INDEX = Integer.getInteger("tessera.test.cuda", 0);

    private CudaTestDevice() {
    }

    /** Returns the device under test. */
    static Device device() {
        return Device.cuda(INDEX);
    }

    /** Returns what the probe says of the device under test, or null when no backend reports it. */
    static DeviceInfo info() {
        for (DeviceInfo d : Device.available()) {
            if (d.device().equals(device())) {
                return d;
            }
        }
        return null;
    }

    /** Returns the opened backend of the device under test, or skips the calling test with the reason it is unusable. */
    static CudaBackend backend() {
        DeviceInfo info = info();
        assumeTrue(info != null, () -> "no CUDA device " + device() + ": " + Device.available());
        assumeTrue(info.usable(), () -> "CUDA device " + device() + " is not usable: " + info.detail());
        Tensor.zeros(device(), 1); // opens the backend through core
        return CudaBackendProvider.opened(INDEX);
    }
}
