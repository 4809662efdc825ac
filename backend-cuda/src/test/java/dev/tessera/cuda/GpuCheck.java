package dev.tessera.cuda;

import static org.junit.platform.engine.discovery.ClassNameFilter.includeClassNamePatterns;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClasspathRoots;

import dev.tessera.Device;
import dev.tessera.DeviceInfo;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * The test half of {@code backend-cuda/gpu-check.sh}, for a machine without Maven: runs the
 * conformance kit (the device-independent tests of backend-cpu's test-jar) and this module's tests
 * (training parity, both GEMMs, memory, the probe) through the JUnit launcher on the device named
 * by {@code -Dtessera.test.device} (the script passes {@code cuda:0}), prints each failure and each
 * distinct skip reason, and appends a summary to a results file.
 *
 * <p>Usage: {@code GpuCheck <results-file> <test-root>...} where each test root is a directory of
 * test classes. Exits with 0 when tests were found and none failed.
 */
public final class GpuCheck {
    private GpuCheck() {
    }

    /** Runs the tests (see the class comment). */
    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: GpuCheck <results-file> <test-classes-dir>...");
            System.exit(2);
        }
        Path results = Path.of(args[0]);
        Set<Path> roots = new LinkedHashSet<>();
        for (int i = 1; i < args.length; i++) {
            roots.add(Path.of(args[i]).toAbsolutePath());
        }
        PrintStream out = System.out;
        for (DeviceInfo d : Device.available()) {
            out.println("device " + d);
        }
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClasspathRoots(roots))
                .filters(includeClassNamePatterns("dev\\.tessera\\.[^.]+Test", "dev\\.tessera\\.spi\\.[^.]+Test",
                        "dev\\.tessera\\.cuda\\.[^.]+Test"))
                .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
                .build();
        Counts counts = new Counts(out);
        long start = System.nanoTime();
        Launcher launcher = LauncherFactory.create();
        launcher.execute(request, counts);
        double seconds = (System.nanoTime() - start) / 1e9;
        String summary = String.format(java.util.Locale.ROOT, "tests on %s: %d passed, %d failed, %d skipped in %.1f s",
                System.getProperty("tessera.test.device", "cpu"), counts.passed.get(), counts.failed.get(),
                counts.skipped.get(), seconds);
        out.println(summary);
        List<String> lines = new ArrayList<>();
        lines.add(summary);
        counts.failures.forEach(f -> lines.add("  FAILED " + f));
        counts.reasons.forEach(r -> lines.add("  skipped because: " + r));
        int total = counts.passed.get() + counts.failed.get() + counts.skipped.get();
        if (total == 0) {
            lines.add("  FAILED: no test was found under " + roots);
            out.println("FAILED: no test was found under " + roots);
        }
        Files.write(results, lines, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
        System.exit(counts.failed.get() == 0 && total > 0 ? 0 : 1);
    }

    /** Counts test outcomes and prints failures and the first occurrence of each skip reason. */
    private static final class Counts implements TestExecutionListener {
        final AtomicInteger passed = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final AtomicInteger skipped = new AtomicInteger();
        final List<String> failures = new ArrayList<>();
        final Set<String> reasons = new LinkedHashSet<>();
        private final PrintStream out;
        private final long start = System.nanoTime();

        Counts(PrintStream out) {
            this.out = out;
        }

        private static String name(TestIdentifier id) {
            String s = id.getUniqueId();
            // [engine:junit-jupiter]/[class:dev.tessera.XTest]/[method:m()] -> XTest.m()
            return s.replaceAll("\\[engine:[^]]*\\]/", "").replaceAll("\\[[a-z-]+:", "").replace("]", "")
                    .replace("dev.tessera.", "");
        }

        @Override
        public synchronized void executionSkipped(TestIdentifier id, String reason) {
            // a disabled parameterized test is one skipped template (its cases are never expanded)
            if (id.isTest() || id.getSource().filter(s -> s instanceof MethodSource).isPresent()) {
                skipped.incrementAndGet();
            }
            note(reason);
        }

        @Override
        public synchronized void executionFinished(TestIdentifier id, TestExecutionResult result) {
            if (id.getSource().filter(s -> s instanceof ClassSource).isPresent()) {
                out.printf(java.util.Locale.ROOT, "%.0f s: %s done (%d passed, %d failed, %d skipped so far)%n",
                        (System.nanoTime() - start) / 1e9, name(id), passed.get(), failed.get(), skipped.get());
            }
            switch (result.getStatus()) {
                case SUCCESSFUL -> {
                    if (id.isTest()) {
                        passed.incrementAndGet();
                    }
                }
                case ABORTED -> {
                    if (id.isTest()) {
                        skipped.incrementAndGet();
                    }
                    note(result.getThrowable().map(Throwable::getMessage).orElse("aborted"));
                }
                case FAILED -> {
                    failed.incrementAndGet();
                    String why = result.getThrowable().map(t -> t.toString().replace('\n', ' ')).orElse("failed");
                    String line = name(id) + ": " + (why.length() > 600 ? why.substring(0, 600) + "..." : why);
                    failures.add(line);
                    out.println("FAILED " + line);
                }
                default -> {
                }
            }
        }

        private void note(String reason) {
            if (reason != null && reasons.add(reason)) {
                out.println("SKIPPED (first of its kind): " + reason);
            }
        }
    }
}
