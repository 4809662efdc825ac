package dev.tessera;

import java.util.List;
import java.util.Objects;

/**
 * A place where tensors live and ops run: the CPU, a CUDA GPU or an OpenCL device. A device is a
 * value: two instances with the same type and index are equal.
 *
 * <p>Backends are discovered with {@link java.util.ServiceLoader}; adding {@code
 * tessera-backend-cuda} or {@code tessera-backend-opencl} to the classpath makes their devices
 * appear in {@link #available()} and lets {@link #best()} pick them.
 */
public final class Device {
    private static final Device CPU = new Device(DeviceType.CPU, 0);
    private static volatile Device defaultDevice = CPU;

    private final DeviceType type;
    private final int index;

    private Device(DeviceType type, int index) {
        if (index < 0) {
            throw new IllegalArgumentException("Device: index must be >= 0, got " + index);
        }
        this.type = Objects.requireNonNull(type, "type");
        this.index = index;
    }

    /** Returns the CPU device. */
    public static Device cpu() {
        return CPU;
    }

    /** Returns CUDA GPU number {@code index}; whether it can be used is told by {@link #available()}. */
    public static Device cuda(int index) {
        return new Device(DeviceType.CUDA, index);
    }

    /** Returns OpenCL device number {@code index} in the order {@link #available()} lists them. */
    public static Device opencl(int index) {
        return new Device(DeviceType.OPENCL, index);
    }

    /**
     * Parses {@code "cpu"}, {@code "cuda"}, {@code "cuda:1"}, {@code "opencl:0"}.
     *
     * @throws IllegalArgumentException for any other text
     */
    public static Device parse(String text) {
        String[] parts = text.trim().toLowerCase(java.util.Locale.ROOT).split(":", -1);
        for (DeviceType t : DeviceType.values()) {
            if (t.label().equals(parts[0])) {
                try {
                    int index = parts.length == 1 ? 0 : Integer.parseInt(parts[1]);
                    if (parts.length <= 2 && (t != DeviceType.CPU || index == 0)) {
                        return t == DeviceType.CPU ? cpu() : new Device(t, index);
                    }
                } catch (NumberFormatException e) {
                    // fall through to the error below
                }
            }
        }
        throw new IllegalArgumentException("Device.parse: '" + text
                + "' is not a device; expected cpu, cuda[:N] or opencl[:N]");
    }

    /**
     * Returns the fastest usable device: the first usable CUDA GPU, else the first usable OpenCL
     * device that is not the host's own processor (an OpenCL CPU driver such as POCL is never
     * preferred over Tessera's CPU backend), else the CPU.
     */
    public static Device best() {
        return BackendRegistry.best();
    }

    /**
     * Returns every device the backends on the classpath know about, including those that cannot
     * start, each with the reason (missing driver, missing native library, no device).
     */
    public static List<DeviceInfo> available() {
        return BackendRegistry.devices();
    }

    /**
     * Returns the storages this device's backend holds now and their bytes (opening the backend if
     * it is not open yet): e.g. to check that a training loop does not leak.
     *
     * @throws IllegalArgumentException if no backend on the classpath reports this device
     * @throws IllegalStateException    if the device cannot be used
     */
    public MemoryStats memoryStats() {
        return BackendRegistry.backend(this).memoryStats();
    }

    /**
     * Makes {@code device} the default: the device where factories without a {@code Device}
     * argument ({@link Tensor#of(float[], int...)}, {@link Tensor#zeros(int...)}, {@link
     * Tensor#randn(Generator, int...)}, ...) create tensors, for every thread (like PyTorch's {@code
     * torch.set_default_device}). The initial default is {@link #cpu()}. Modules create their
     * parameters through these factories, so a model built afterwards lives on {@code device}.
     *
     * @throws IllegalArgumentException if {@code device} is null or cannot be used (the message says
     *                                  why, as {@link #available()} does)
     */
    public static void setDefault(Device device) {
        Creation.backendFor("Device.setDefault", device); // fails now rather than at the first factory call
        defaultDevice = device;
    }

    /** Returns the device where factories without a {@code Device} argument create tensors; see {@link #setDefault}. */
    public static Device getDefault() {
        return defaultDevice;
    }

    /** Returns the kind of device. */
    public DeviceType type() {
        return type;
    }

    /** Returns the device number within its type (0 for the CPU). */
    public int index() {
        return index;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Device d && d.type == type && d.index == index;
    }

    @Override
    public int hashCode() {
        return type.hashCode() * 31 + index;
    }

    /** Returns {@code "cpu"}, {@code "cuda:0"}, {@code "opencl:1"}. */
    @Override
    public String toString() {
        return type == DeviceType.CPU ? "cpu" : type.label() + ":" + index;
    }
}
