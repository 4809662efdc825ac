package dev.tessera;

/**
 * What a backend found when it probed for a device: the device, a human-readable name, whether it
 * can be used, and the details (driver version, memory, or the reason it cannot start).
 *
 * @param device the device this entry describes
 * @param name   a readable name, e.g. {@code "AMD EPYC, 2 threads"} or {@code "NVIDIA H100"}
 * @param usable true when tensors can be placed on the device
 * @param detail  details; for a device that cannot start, the reason and what to do about it
 * @param hostCpu true when the device computes on the host's processor through another runtime
 *                (an OpenCL CPU driver such as POCL): usable, but never preferred by {@link
 *                Device#best()} over Tessera's own CPU backend
 */
public record DeviceInfo(Device device, String name, boolean usable, String detail, boolean hostCpu) {

    /** An entry for a device that is not a host CPU seen through another runtime. */
    public DeviceInfo(Device device, String name, boolean usable, String detail) {
        this(device, name, usable, detail, false);
    }

    @Override
    public String toString() {
        return device + " " + (usable ? "available" : "unavailable") + ": " + name
                + (detail == null || detail.isEmpty() ? "" : " (" + detail + ")");
    }
}
