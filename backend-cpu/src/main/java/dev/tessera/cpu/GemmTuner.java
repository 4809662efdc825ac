package dev.tessera.cpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the {@link GemmVariant} the Vector API GEMM runs with, once per JVM, and says which
 * in the log. Since every variant produces the same bits, the choice only affects speed.
 *
 * <p>{@code -Dtessera.gemm.variant=}
 * <ul>
 *   <li>unset or {@code auto}: chosen from the CPU's vector width (see {@link #byCpu});</li>
 *   <li>{@code calibrate}: each candidate is timed on a 256 x 256 x 512 product at first use
 *       (about 0.2 s) and the fastest kept (see {@link #fastest});</li>
 *   <li>a variant's name, e.g. {@code packed8x2}: that one.</li>
 * </ul>
 */
final class GemmTuner {

    private static final Logger LOG = LoggerFactory.getLogger(GemmTuner.class);

    /** The system property that picks the variant: a name, {@code auto} or {@code calibrate}. */
    static final String PROPERTY = "tessera.gemm.variant";

    private GemmTuner() {
    }

    /**
     * The variant every Vector API GEMM of this JVM uses.
     *
     * @return the variant, decided at the first call
     */
    static GemmVariant variant() {
        return Holder.CHOSEN;
    }

    /** Lazy holder: the choice (and any calibration) happens at the first GEMM. */
    private static final class Holder {
        static final GemmVariant CHOSEN = choose();
    }

    private static GemmVariant choose() {
        String wanted = System.getProperty(PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
        String vendor = cpuVendor();
        int lanes = VectorGemm.LN;
        if (wanted.equals("calibrate")) {
            Map<GemmVariant, double[]> times = measure(candidates(lanes), 256, 256, 512, 7);
            GemmVariant best = fastest(times);
            LOG.info("Tessera CPU GEMM: variant {} (calibrated on this {} CPU, {} float lanes; median "
                    + "seconds per product: {})", best, vendor, lanes, medians(times));
            return best;
        }
        if (!wanted.equals("auto")) {
            try {
                GemmVariant forced = GemmVariant.forName(wanted);
                LOG.info("Tessera CPU GEMM: variant {} (set by -D{})", forced, PROPERTY);
                return forced;
            } catch (IllegalArgumentException e) {
                LOG.warn("Ignoring -D{}={}: {}; choosing from the CPU", PROPERTY, wanted, e.getMessage());
            }
        }
        GemmVariant v = byCpu(lanes);
        LOG.info("Tessera CPU GEMM: variant {} for this {} CPU with {} float lanes "
                + "(-D{}=calibrate times them all)", v, vendor, lanes, PROPERTY);
        return v;
    }

    /**
     * The variant for a CPU. With AVX-512 (16 lanes, 32 registers) the 8 x 2 tile on packed A:
     * measured on an AMD EPYC (Zen 5), 1 thread, n = 1024 / 2048, it ran at 188 / 180 GFLOP/s
     * against 177 / 164 for A read in place, and the same at n = 256 (where A is not packed);
     * packing also removes the strided, bounds-checked reads of A that held Intel Xeons back. With
     * narrower vectors (AVX2: 16 registers), the 6-row tile, whose 12 accumulators fit: twice the
     * speed of 8 x 2 under {@code -XX:UseAVX=2} on the same machine.
     *
     * @param lanes float lanes of the preferred vector species
     * @return the variant to use
     */
    static GemmVariant byCpu(int lanes) {
        return lanes < 16 ? GemmVariant.PACKED_6X2 : GemmVariant.PACKED_8X2;
    }

    /**
     * The variants worth timing on a CPU with this many lanes: with fewer than 16 lanes (AVX2,
     * 16 registers) the 12-row tile would spill.
     */
    static List<GemmVariant> candidates(int lanes) {
        return lanes < 16
                ? List.of(GemmVariant.INPLACE_8X2, GemmVariant.PACKED_8X2, GemmVariant.PACKED_6X2)
                : GemmVariant.ALL;
    }

    /**
     * The fastest variant by median time: deterministic for the same timings, ties going to the
     * variant listed first.
     *
     * @param secondsPerRun for each variant (in iteration order), the times of its runs; not modified
     * @return the variant with the smallest median
     * @throws IllegalArgumentException if there is no variant or one has no timing
     */
    static GemmVariant fastest(Map<GemmVariant, double[]> secondsPerRun) {
        GemmVariant best = null;
        double bestMedian = Double.POSITIVE_INFINITY;
        for (Map.Entry<GemmVariant, double[]> e : secondsPerRun.entrySet()) {
            if (e.getValue().length == 0) {
                throw new IllegalArgumentException("GEMM calibration: no timing for variant " + e.getKey());
            }
            double median = median(e.getValue());
            if (best == null || median < bestMedian) {
                best = e.getKey();
                bestMedian = median;
            }
        }
        if (best == null) {
            throw new IllegalArgumentException("GEMM calibration: no variant was timed");
        }
        return best;
    }

    /**
     * Times each variant on an m x n x k product, single-threaded, the variants taking turns so
     * that a change in machine load affects them alike; the first two rounds warm the JIT up and
     * are not kept.
     *
     * @return for each variant, {@code rounds} times in seconds
     */
    static Map<GemmVariant, double[]> measure(List<GemmVariant> variants, int m, int n, int k, int rounds) {
        try {
            VectorWarmUp.awaitGemm(); // until then the products would run the scalar tiles
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        float[] a = new float[m * k];
        float[] b = new float[k * n];
        float[] c = new float[m * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (i % 13) * 0.25f - 1.5f;
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (i % 7) * 0.5f - 1.5f;
        }
        Map<GemmVariant, double[]> times = new LinkedHashMap<>();
        variants.forEach(v -> times.put(v, new double[rounds]));
        for (int round = -2; round < rounds; round++) {
            for (GemmVariant v : variants) {
                long t0 = System.nanoTime();
                VectorGemm.sgemm(v, false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n, false);
                long t = System.nanoTime() - t0;
                if (round >= 0) {
                    times.get(v)[round] = t * 1e-9;
                }
            }
        }
        return times;
    }

    /**
     * The CPU vendor string: {@code vendor_id} from /proc/cpuinfo on Linux, the
     * {@code PROCESSOR_IDENTIFIER} environment variable on Windows, else "unknown".
     */
    static String cpuVendor() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            String v = lines.filter(l -> l.startsWith("vendor_id")).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse(null);
            if (v != null) {
                return v;
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or /proc not readable: try the next source
        }
        String id = System.getenv("PROCESSOR_IDENTIFIER");
        if (id != null) {
            return id.contains("AuthenticAMD") ? "AuthenticAMD" : id.contains("GenuineIntel") ? "GenuineIntel" : id;
        }
        return "unknown";
    }

    private static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static Map<String, String> medians(Map<GemmVariant, double[]> times) {
        Map<String, String> out = new LinkedHashMap<>();
        times.forEach((v, t) -> out.put(v.name(), String.format(Locale.ROOT, "%.2e", median(t))));
        return out;
    }
}
