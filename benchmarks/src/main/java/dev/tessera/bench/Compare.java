package dev.tessera.bench;

import dev.tessera.Generator;
import dev.tessera.Tensor;
import dev.tessera.cpu.CpuPool;
import dev.tessera.cpu.Gemm;
import dev.tessera.nn.F;
import dev.tessera.nn.Random;
import dev.tessera.nn.Sequential;
import dev.tessera.nn.data.Batch;
import dev.tessera.nn.data.DataLoader;
import dev.tessera.nn.data.TensorDataset;
import dev.tessera.nn.optim.SGD;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Tessera's side of the comparison with PyTorch ({@code benchmarks/compare.sh}): a small server
 * that runs the {@link Workloads} on request and answers with the times, and a memory probe.
 *
 * <p>{@code Compare serve}: reads commands from standard input, one a line, and answers each with
 * one line on standard output (everything else goes to standard error):
 * <ul>
 *   <li>{@code run NAME WARMUP_S MEASURE_S}: builds workload NAME on first use, runs it for at
 *       least {@code WARMUP_S} seconds (and twice), then takes samples for about {@code
 *       MEASURE_S} seconds (at least 5; calls shorter than 2 ms are grouped so a sample lasts about
 *       2 ms); answers {@code ok NAME s1 s2 ...}, the seconds per call of each sample.</li>
 *   <li>{@code info}: answers {@code ok info threads=N gemm=vector java=17...}.</li>
 *   <li>{@code quit}: ends.</li>
 * </ul>
 * {@code benchmarks/compare.py} speaks the same protocol with PyTorch, so the two are timed the
 * same way and can be alternated workload by workload.
 *
 * <p>{@code Compare rss}: trains the 784-256-128-10 MLP for one epoch over 60,000 random
 * examples (batch 64, shuffled, SGD) and prints {@code ok rss VMHWM_KB EPOCH_S}: the peak resident
 * memory of this process from {@code /proc/self/status}, and the epoch's time.
 *
 * <p>The pool size is {@code -Dtessera.threads}; start the JVM with {@code --add-modules
 * jdk.incubator.vector}.
 */
public final class Compare {
    /** Workload names, shared with compare.py, in the order of the table. */
    private static final Map<String, Supplier<Workload>> WORKLOADS = new LinkedHashMap<>();

    static {
        WORKLOADS.put("sgemm-256", () -> Workloads.matmul(256));
        WORKLOADS.put("sgemm-1024", () -> Workloads.matmul(1024));
        WORKLOADS.put("sgemm-2048", () -> Workloads.matmul(2048));
        WORKLOADS.put("conv2d-fwd", Workloads::conv2dForward);
        WORKLOADS.put("conv2d-fwdbwd", Workloads::conv2dForwardBackward);
        WORKLOADS.put("mlp-step-64", () -> Workloads.mlpStep(64));
        WORKLOADS.put("mlp-step-256", () -> Workloads.mlpStep(256));
        WORKLOADS.put("lenet-step-64", () -> Workloads.lenetStep(64));
        WORKLOADS.put("mha-fwdbwd", Workloads::attentionForwardBackward);
        WORKLOADS.put("mha-causal-fwdbwd", Workloads::causalAttentionForwardBackward);
        WORKLOADS.put("transformer-fwdbwd", Workloads::transformerForwardBackward);
        WORKLOADS.put("lstm-fwdbwd", LstmBenchmark::forwardBackwardWorkload);
        WORKLOADS.put("gru-fwdbwd", LstmBenchmark::gruForwardBackwardWorkload);
        WORKLOADS.put("add-nograd", () -> Workloads.addScalar(false));
        WORKLOADS.put("add-grad", () -> Workloads.addScalar(true));
    }

    /** Shortest sample; faster calls are grouped. */
    private static final double MIN_SAMPLE_S = 0.002;
    private static final int MIN_SAMPLES = 5;
    private static final int MAX_SAMPLES = 2000;

    private Compare() {
    }

    /**
     * Runs {@code serve}, {@code rss} or {@code list} (prints the workload names).
     *
     * @param args the mode
     * @throws IOException if standard input cannot be read
     */
    public static void main(String[] args) throws IOException {
        String mode = args.length == 0 ? "serve" : args[0];
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);
        switch (mode) {
            case "serve" -> serve(out);
            case "rss" -> out.println(rss());
            case "list" -> out.println(String.join(" ", WORKLOADS.keySet()));
            default -> {
                System.err.println("Compare: unknown mode '" + mode + "'; expected serve, rss or list");
                System.exit(2);
            }
        }
    }

    private static void serve(PrintStream out) throws IOException {
        Map<String, Workload> built = new HashMap<>();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            String[] cmd = line.trim().split("\\s+");
            try {
                switch (cmd[0]) {
                    case "quit" -> {
                        return;
                    }
                    case "info" -> out.println("ok info threads=" + CpuPool.parallelism() + " gemm=" + Gemm.implementation()
                            + " java=" + System.getProperty("java.version"));
                    case "run" -> {
                        String name = cmd[1];
                        Supplier<Workload> factory = WORKLOADS.get(name);
                        if (factory == null) {
                            out.println("error unknown workload '" + name + "'; known: " + WORKLOADS.keySet());
                            break;
                        }
                        Workload w = built.computeIfAbsent(name, k -> factory.get());
                        List<Double> samples = measure(w, Double.parseDouble(cmd[2]), Double.parseDouble(cmd[3]));
                        StringBuilder sb = new StringBuilder("ok ").append(name);
                        for (double s : samples) {
                            sb.append(' ').append(String.format(Locale.ROOT, "%.9g", s));
                        }
                        out.println(sb);
                    }
                    default -> out.println("error unknown command '" + line + "'");
                }
            } catch (RuntimeException e) {
                e.printStackTrace();
                out.println("error " + e.toString().replace('\n', ' '));
            }
        }
    }

    /** Warm-up, then samples of seconds per call; see the class comment. */
    static List<Double> measure(Workload w, double warmupS, double measureS) {
        long start = System.nanoTime();
        int calls = 0;
        while (calls < 2 || System.nanoTime() - start < warmupS * 1e9) {
            w.run();
            calls++;
        }
        double perCall = (System.nanoTime() - start) / 1e9 / calls;
        int group = (int) Math.max(1, Math.ceil(MIN_SAMPLE_S / Math.max(perCall, 1e-9)));
        List<Double> samples = new ArrayList<>();
        long t0 = System.nanoTime();
        Object sink = null;
        while (samples.size() < MIN_SAMPLES
                || (System.nanoTime() - t0 < measureS * 1e9 && samples.size() < MAX_SAMPLES)) {
            long s = System.nanoTime();
            for (int i = 0; i < group; i++) {
                sink = w.run();
            }
            samples.add((System.nanoTime() - s) / 1e9 / group);
        }
        if (sink == null) {
            throw new IllegalStateException("a workload returned null");
        }
        return samples;
    }

    /** One epoch of the MLP on 60,000 random examples; returns the answer line. */
    private static String rss() throws IOException {
        int n = 60_000;
        Generator g = new Generator(7);
        Tensor x = Tensor.rand(g, n, 784);
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = g.nextInt(10);
        }
        TensorDataset data = new TensorDataset(x, Tensor.ofInts(labels, n));
        Random.manualSeed(0);
        Sequential model = Workloads.mlp();
        SGD opt = new SGD(model.parameters(), Workloads.LR, Workloads.MOMENTUM);
        DataLoader loader = new DataLoader(data, 64, true, 42);
        long start = System.nanoTime();
        float last = 0;
        for (Batch b : loader) {
            opt.zeroGrad();
            Tensor loss = F.crossEntropy(model.forward(b.features()), b.targets());
            loss.backward();
            opt.step();
            last = loss.item();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (!Float.isFinite(last)) {
            throw new IllegalStateException("rss: the loss diverged: " + last);
        }
        return String.format(Locale.ROOT, "ok rss %d %.3f", vmHwmKb(), seconds);
    }

    /** Peak resident set size of this process in kB ({@code VmHWM}), or -1 where /proc is absent. */
    static long vmHwmKb() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) {
            return -1;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
