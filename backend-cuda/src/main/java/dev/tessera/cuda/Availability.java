package dev.tessera.cuda;

import java.util.Locale;

/**
 * The sentences the CUDA backend gives when it cannot start, or starts with less: each says what
 * went wrong and what to install, and shows up in {@code Device.available()} and in the log. Pure
 * functions of what the probe saw (an error code, a link error's text, a version), so each is
 * tested without a GPU.
 */
final class Availability {
    /** The oldest driver API version the shipped PTX ({@code .version 7.8}) loads on: CUDA 11.8. */
    static final int MIN_DRIVER_VERSION = 11080;
    /** The oldest compute capability the shipped PTX targets ({@code sm_75}, Turing), as major * 10 + minor. */
    static final int MIN_COMPUTE_CAPABILITY = 75;
    /** What to install when there is no usable driver. */
    static final String INSTALL_DRIVER = "install the NVIDIA driver (R520 or newer, e.g. `apt install nvidia-driver`"
            + " or the driver from nvidia.com; the CUDA toolkit is not needed)";
    /** What to install for cuBLAS. */
    static final String INSTALL_CUBLAS = "install cuBLAS 12 (`apt install libcublas-12-6` from NVIDIA's CUDA"
            + " repository, or `pip install nvidia-cublas-cu12` with its lib directory on LD_LIBRARY_PATH)";

    private Availability() {
    }

    /**
     * Why JCuda's driver library did not load, from the text of the {@link LinkageError} (its
     * message and its causes' messages): no {@code libcuda.so.1}, a driver without the functions
     * JCuda 12.6 binds, or a platform JCuda ships no native library for.
     */
    static String linkError(String text, String osArch) {
        String t = text == null ? "" : text;
        String key = keyLine(t);
        if (key.contains("libcuda") || key.contains("nvcuda")) {
            return "the NVIDIA driver library (libcuda.so.1) cannot be loaded, so no NVIDIA driver is installed; "
                    + INSTALL_DRIVER;
        }
        if (key.contains("undefined symbol") || key.contains("version `")) {
            return "the NVIDIA driver is too old for JCuda 12.6 (" + key + "); install a driver of CUDA 12 or newer"
                    + " (R525 or newer)";
        }
        return "JCuda's driver library does not load on " + osArch + " (" + key + "); the CUDA backend runs on Linux and"
                + " Windows x86-64: " + INSTALL_DRIVER;
    }

    /**
     * The informative line of a native-library load error: JCuda's message nests the loader's
     * attempts; the line naming a missing shared object or symbol is the one that explains.
     */
    static String keyLine(String text) {
        String first = null;
        for (String line : text.split("\n")) {
            String l = line.trim();
            if (l.contains("cannot open shared object file") || l.contains("undefined symbol") || l.contains("version `")) {
                return oneLine(l.replaceFirst("^java\\.lang\\.UnsatisfiedLinkError: ", ""));
            }
            if (first == null && !l.isEmpty()) {
                first = l;
            }
        }
        return first == null ? "no message" : oneLine(first);
    }

    /** Why {@code cuInit} failed with {@code code} (named {@code name}). */
    static String initFailed(int code, String name) {
        return switch (code) {
            case 100 -> "the NVIDIA driver finds no GPU (cuInit: " + name + "); check that the GPU is visible with"
                    + " nvidia-smi (CUDA_VISIBLE_DEVICES, a container's --gpus flag)";
            case 34 -> "libcuda.so.1 is the CUDA toolkit's stub, not a driver (cuInit: " + name + "); "
                    + INSTALL_DRIVER + " and take the stubs directory off LD_LIBRARY_PATH";
            case 35 -> "the NVIDIA driver is too old (cuInit: " + name + "); update it to R520 or newer";
            case 999, 3 -> "the NVIDIA driver does not initialise (cuInit: " + name + "); check the driver with"
                    + " nvidia-smi, reinstall it if that fails, and reboot after an update";
            default -> "the NVIDIA driver does not initialise (cuInit: " + name + " (" + code + ")); check the driver"
                    + " with nvidia-smi";
        };
    }

    /** Returns why a driver of API version {@code version} (e.g. 12040) is too old, or null when it is new enough. */
    static String driverTooOld(int version) {
        if (version >= MIN_DRIVER_VERSION) {
            return null;
        }
        return "the NVIDIA driver supports CUDA " + cudaVersion(version) + " but Tessera's kernels need CUDA "
                + cudaVersion(MIN_DRIVER_VERSION) + " or newer; update the driver to R520 or newer";
    }

    /** Returns why a GPU of compute capability {@code major.minor} cannot be used, or null when it can. */
    static String computeCapability(int major, int minor) {
        if (major * 10 + minor >= MIN_COMPUTE_CAPABILITY) {
            return null;
        }
        return "compute capability " + major + "." + minor + " is older than 7.5 (Turing), the oldest Tessera's kernels"
                + " are built for; use a Turing or newer GPU, or the CPU";
    }

    /** Why the driver rejected the shipped PTX when loading it ({@code cuModuleLoadData} returned {@code code}). */
    static String ptxRejected(int code, String name, int driverVersion) {
        if (code == 222 || code == 218 || code == 209) { // UNSUPPORTED_PTX_VERSION, INVALID_PTX, NO_BINARY_FOR_GPU
            return "the NVIDIA driver (CUDA " + cudaVersion(driverVersion) + ") cannot load Tessera's kernels (PTX ISA "
                    + PtxSource.PTX_VERSION + ", cuModuleLoadData: " + name + "); update the driver to R520 or newer";
        }
        return "Tessera's kernels do not load on this GPU (cuModuleLoadData: " + name + " (" + code + ")); check the"
                + " driver with nvidia-smi";
    }

    /** Why cuBLAS is not used (the backend then multiplies with its own kernel), from the load error's text. */
    static String cublasMissing(String text) {
        String t = text == null ? "" : text;
        String key = keyLine(t);
        String what = key.contains("libcublas") && key.contains("cannot open") ? "libcublas.so.12 is not installed"
                : "cuBLAS does not load (" + key + ")";
        return what + ", so matrix products use Tessera's own GEMM kernel; for faster ones " + INSTALL_CUBLAS;
    }

    /** Returns {@code "12.4"} for driver API version 12040. */
    static String cudaVersion(int version) {
        return (version / 1000) + "." + (version % 1000) / 10;
    }

    /** Returns {@code "linux-x86_64"}-style text for this JVM's platform. */
    static String osArch() {
        return System.getProperty("os.name", "?").toLowerCase(Locale.ROOT).replace(' ', '_') + "-"
                + System.getProperty("os.arch", "?");
    }

    private static String oneLine(String t) {
        String s = t.replace('\n', ' ').trim();
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }
}
