package dev.tessera.cuda;

import java.util.Locale;

/**
 * One NVIDIA GPU found by {@link CudaProbe}, with what {@code Device.available()} shows of it.
 *
 * @param index           the device's ordinal ({@code cuda:<index>})
 * @param name            the GPU's name, e.g. {@code "NVIDIA H200"}
 * @param totalMemory     its memory in bytes
 * @param major           compute capability, major
 * @param minor           compute capability, minor
 * @param multiprocessors streaming multiprocessors
 * @param driverVersion   the driver's CUDA version, e.g. 13000
 * @param problem         why the GPU cannot be used, or null when it can
 */
record CudaDeviceRef(int index, String name, long totalMemory, int major, int minor, int multiprocessors,
                     int driverVersion, String problem) {

    /** Returns a copy with {@code problem} as the reason it cannot be used. */
    CudaDeviceRef withProblem(String why) {
        return new CudaDeviceRef(index, name, totalMemory, major, minor, multiprocessors, driverVersion, why);
    }

    /** Returns the one-line detail for {@code DeviceInfo}: compute capability, memory, multiprocessors, driver. */
    String detail() {
        String d = "compute capability " + major + "." + minor + ", " + String.format(Locale.ROOT, "%.1f GiB",
                totalMemory / (1024.0 * 1024 * 1024)) + ", " + multiprocessors + " multiprocessors, driver for CUDA "
                + Availability.cudaVersion(driverVersion);
        return problem == null ? d : problem + " (" + d + ")";
    }
}
