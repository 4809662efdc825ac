package dev.tessera;

/**
 * What a backend found when it probed for a device: the device, a human-readable name, whether it
 * can be used, and the details (driver version, memory, or the reason it cannot start).
 *
 * @param device the device this entry describes
 * @param name   a readable name, e.g. {@code "AMD EPYC, 2 threads"} or {@code "NVIDIA H100"}
 * @param usable true when tensors can be placed on the device
 * @param detail details; for a device that cannot start, the reason and what to do about it
 */
public record DeviceInfo(Device device, String name, boolean usable, String detail) {
    @Override
    public String toString() {
        return device + " " + (usable ? "available" : "unavailable") + ": " + name
                + (detail == null || detail.isEmpty() ? "" : " (" + detail + ")");
    }
}
