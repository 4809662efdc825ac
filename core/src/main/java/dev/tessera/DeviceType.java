package dev.tessera;

/** The kinds of device a backend can drive. */
public enum DeviceType {
    /** The host processor; always available when {@code tessera-backend-cpu} is on the classpath. */
    CPU("cpu"),
    /** An NVIDIA GPU through CUDA ({@code tessera-backend-cuda}). */
    CUDA("cuda"),
    /** Any OpenCL device: AMD, Intel or NVIDIA GPUs, or a CPU OpenCL runtime ({@code tessera-backend-opencl}). */
    OPENCL("opencl");

    private final String label;

    DeviceType(String label) {
        this.label = label;
    }

    /** Returns the lower-case name used in device strings such as {@code "cuda:0"}. */
    public String label() {
        return label;
    }
}
