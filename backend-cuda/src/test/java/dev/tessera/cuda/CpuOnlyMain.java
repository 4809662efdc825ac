package dev.tessera.cuda;

import dev.tessera.Device;
import dev.tessera.Tensor;

/**
 * Child-JVM program of {@link LazyProbeTest}: uses only the CPU (a factory, an op, the default
 * device) with the CUDA backend on the classpath, and prints the result.
 */
public final class CpuOnlyMain {
    private CpuOnlyMain() {
    }

    /** Runs a CPU op and prints {@code sum=<value>}. */
    public static void main(String[] args) {
        Device.setDefault(Device.cpu());
        System.out.println("sum=" + Tensor.of(new float[] {1, 2, 3}, 3).mul(2f).sum().item());
    }
}
