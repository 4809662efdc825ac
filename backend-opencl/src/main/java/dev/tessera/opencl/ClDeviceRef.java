package dev.tessera.opencl;

import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

/**
 * One OpenCL device found by {@link ClProbe}, with what {@code Device.available()} shows of it.
 *
 * @param index        the device's number in Tessera's global order ({@code opencl:<index>})
 * @param platform     its platform
 * @param device       the device
 * @param platformName the platform's name, e.g. {@code "Portable Computing Language"}
 * @param name         the device's name
 * @param type         {@code "GPU"}, {@code "CPU"}, {@code "accelerator"} or {@code "other"}
 * @param globalMemory global memory in bytes
 * @param computeUnits compute units
 * @param version      the device's OpenCL version string, e.g. {@code "OpenCL 3.0 PoCL ..."}
 * @param problem      why the device cannot be used, or null when it can
 */
record ClDeviceRef(int index, cl_platform_id platform, cl_device_id device, String platformName, String name, String type,
                   long globalMemory, int computeUnits, String version, String problem) {

    /** Returns true for a CPU device (such as POCL), which Tessera's own CPU backend outruns. */
    boolean hostCpu() {
        return "CPU".equals(type);
    }

    /** Returns the one-line detail for {@code DeviceInfo}: type, units, memory, version. */
    String detail() {
        String d = type + ", " + computeUnits + " compute units, " + String.format(java.util.Locale.ROOT, "%.1f GiB",
                globalMemory / (1024.0 * 1024 * 1024)) + ", " + version + ", platform " + platformName;
        return problem == null ? d : problem + " (" + d + ")";
    }
}
