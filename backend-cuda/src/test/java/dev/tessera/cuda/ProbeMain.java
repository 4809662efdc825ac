package dev.tessera.cuda;

import dev.tessera.Device;
import dev.tessera.DeviceInfo;
import dev.tessera.Tensor;

/**
 * Child-JVM program of {@link ProbeTest}: prints each entry of {@code Device.available()} as
 * {@code device|usable|detail}, then {@code best=<device>}, then runs an op on the best device.
 */
public final class ProbeMain {
    private ProbeMain() {
    }

    /** Prints the probe's result (see the class comment). */
    public static void main(String[] args) {
        for (DeviceInfo d : Device.available()) {
            System.out.println("device=" + d.device() + "|" + d.usable() + "|" + d.detail());
        }
        Device best = Device.best();
        System.out.println("best=" + best);
        System.out.println("sum=" + Tensor.of(new float[] {1, 2, 3}, 3).to(best).sum().item());
    }
}
