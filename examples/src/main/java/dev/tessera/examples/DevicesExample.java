package dev.tessera.examples;

import dev.tessera.Device;
import dev.tessera.DeviceInfo;
import dev.tessera.DeviceType;
import dev.tessera.Generator;
import dev.tessera.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Lists every device Tessera can see and measures what each usable one is worth for training:
 * SGEMM speed ({@code n = 1024} through {@link Tensor#matmul}, after a warm-up) and memory
 * bandwidth (a large tensor copy on the CPU, host-to-device and device-to-host copies elsewhere).
 *
 * <p>Devices come from {@link Device#available()}, so a GPU backend added to the classpath appears
 * here without changes, and a backend that cannot start is listed with its reason. For the CPU it
 * also shows the cores, the SIMD width the Vector API offers and which matrix-multiply path runs.
 *
 * <p>Run: {@code mvn -B -q -pl examples -am package -DskipTests exec:exec -Dexample.args=devices}.
 */
public final class DevicesExample {
    private static final String VECTOR_MODULE = "jdk.incubator.vector";
    /** Matrix size of the SGEMM measurement. */
    private static final int GEMM_N = 1024;
    /** Floats in each buffer of the bandwidth measurement (128 MB). */
    private static final int COPY_FLOATS = 32 << 20;

    private DevicesExample() {
    }

    /** Lists the devices and measures each usable one; takes no options. */
    public static void main(String[] args) {
        List<DeviceInfo> devices = Device.available();
        System.out.println("Tessera devices (" + devices.size() + " found by the backends on the classpath):");
        for (DeviceInfo info : devices) {
            System.out.printf(Locale.ROOT, "  %-9s %-11s %s%n", info.device(), info.usable() ? "usable" : "unavailable",
                    info.name());
            if (info.detail() != null && !info.detail().isEmpty()) {
                System.out.println("            " + (info.usable() ? "" : "why: ") + info.detail());
            }
            if (info.device().type() == DeviceType.CPU) {
                System.out.println("            cores: " + Runtime.getRuntime().availableProcessors()
                        + ", SIMD: " + simdWidth() + ", Java " + System.getProperty("java.version"));
            }
        }
        boolean anyGpuBackend = devices.stream().anyMatch(d -> d.device().type() != DeviceType.CPU);
        if (!anyGpuBackend) {
            System.out.println("  (no GPU backend on the classpath: add dev.tessera:tessera-backend-cuda or"
                    + " tessera-backend-opencl to use a GPU)");
        }

        System.out.println();
        System.out.println("Measuring each usable device (SGEMM n=" + GEMM_N + " via Tensor.matmul; bandwidth: "
                + (COPY_FLOATS * 4L >> 20) + " MB copies) ...");
        List<String[]> rows = new ArrayList<>();
        for (DeviceInfo info : devices) {
            if (!info.usable()) {
                rows.add(new String[] {info.device().toString(), info.name(), "-", "-", "cannot start"});
                continue;
            }
            try {
                double gflops = gemmGflops(info.device());
                String bandwidth = info.device().type() == DeviceType.CPU ? cpuCopy()
                        : hostDeviceCopy(info.device());
                rows.add(new String[] {info.device().toString(), info.name(),
                        String.format(Locale.ROOT, "%.1f GFLOP/s", gflops), bandwidth, ""});
            } catch (RuntimeException | LinkageError e) {
                rows.add(new String[] {info.device().toString(), info.name(), "-", "-", "failed: " + e});
            }
        }
        System.out.println();
        printTable(new String[] {"device", "name", "SGEMM n=" + GEMM_N, "memory bandwidth", "note"}, rows);
    }

    /** The preferred float vector width, or why it is unknown. */
    private static String simdWidth() {
        if (ModuleLayer.boot().findModule(VECTOR_MODULE).isEmpty()) {
            return "unknown (start the JVM with --add-modules " + VECTOR_MODULE + " to use and report it)";
        }
        try {
            return Simd.describe();
        } catch (LinkageError e) {
            return "unknown (" + e + ")";
        }
    }

    /** Kept apart so that its Vector API classes load only when the module is present. */
    private static final class Simd {
        static String describe() {
            var species = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED;
            return species.length() + " float lanes (" + species.vectorBitSize() + "-bit vectors)";
        }
    }

    /** Median GFLOP/s of {@code a.matmul(b)}, n = GEMM_N, after about a second of warm-up. */
    private static double gemmGflops(Device device) {
        Generator g = new Generator(1);
        Tensor a = Tensor.randn(g, GEMM_N, GEMM_N).to(device);
        Tensor b = Tensor.randn(g, GEMM_N, GEMM_N).to(device);
        Runnable product = () -> finish(a.matmul(b));
        double seconds = medianSeconds(product, 1.0, 1.5);
        return 2.0 * GEMM_N * GEMM_N * GEMM_N / seconds / 1e9;
    }

    /** CPU memory bandwidth of a large tensor copy: bytes read plus bytes written per second. */
    private static String cpuCopy() {
        Tensor src = Tensor.rand(new Generator(2), COPY_FLOATS);
        Tensor dst = Tensor.zeros(COPY_FLOATS);
        double seconds = medianSeconds(() -> dst.copyFrom(src), 0.5, 1.0);
        return String.format(Locale.ROOT, "copy %.1f GB/s", 2.0 * 4 * COPY_FLOATS / seconds / 1e9);
    }

    /** Host-to-device and device-to-host bandwidth of {@link Tensor#to(Device)}. */
    private static String hostDeviceCopy(Device device) {
        Tensor host = Tensor.rand(new Generator(3), COPY_FLOATS);
        double up = medianSeconds(() -> finish(host.to(device)), 0.5, 1.0);
        Tensor onDevice = host.to(device);
        double down = medianSeconds(() -> onDevice.to(Device.cpu()), 0.5, 1.0);
        double bytes = 4.0 * COPY_FLOATS;
        return String.format(Locale.ROOT, "to device %.1f GB/s, to host %.1f GB/s", bytes / up / 1e9, bytes / down / 1e9);
    }

    /** Reads one element back, so that an asynchronous device has finished computing {@code t}. */
    private static void finish(Tensor t) {
        if (!t.device().equals(Device.cpu())) {
            Tensor first = t;
            while (first.dim() > 0) {
                first = first.select(0, 0);
            }
            first.item();
        }
    }

    /** Runs {@code work} for {@code warmupS} seconds, then returns the median of runs over {@code measureS}. */
    private static double medianSeconds(Runnable work, double warmupS, double measureS) {
        long start = System.nanoTime();
        int calls = 0;
        while (calls < 2 || System.nanoTime() - start < warmupS * 1e9) {
            work.run();
            calls++;
        }
        List<Double> samples = new ArrayList<>();
        long t0 = System.nanoTime();
        while (samples.size() < 5 || (System.nanoTime() - t0 < measureS * 1e9 && samples.size() < 1000)) {
            long s = System.nanoTime();
            work.run();
            samples.add((System.nanoTime() - s) / 1e9);
        }
        double[] sorted = samples.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return sorted[sorted.length / 2];
    }

    private static void printTable(String[] header, List<String[]> rows) {
        int[] width = new int[header.length];
        for (int c = 0; c < header.length; c++) {
            width[c] = header[c].length();
            for (String[] r : rows) {
                width[c] = Math.max(width[c], r[c].length());
            }
        }
        StringBuilder sep = new StringBuilder();
        for (int w : width) {
            sep.append(sep.length() == 0 ? "" : "-+-").append("-".repeat(w));
        }
        System.out.println(line(header, width));
        System.out.println(sep);
        for (String[] r : rows) {
            System.out.println(line(r, width));
        }
    }

    private static String line(String[] cells, int[] width) {
        StringBuilder sb = new StringBuilder();
        for (int c = 0; c < cells.length; c++) {
            char[] pad = new char[width[c] - cells[c].length()];
            Arrays.fill(pad, ' ');
            sb.append(c == 0 ? "" : " | ").append(cells[c]).append(pad);
        }
        return sb.toString().stripTrailing();
    }
}
