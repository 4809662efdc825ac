package dev.tessera.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The CPU backend's results do not depend on the JIT tier nor on the number of threads: {@link
 * DeterminismProbe} runs every op of the guarantee in a fresh JVM, first cold (interpreted), then
 * until C2 has compiled it, once with 1 thread and once with 2; every result must keep the bits of
 * the first one, and both JVMs must agree.
 */
class DeterminismTest {
    private static final long TIMEOUT_SECONDS = 300;

    @Test
    void everyOpGivesTheSameBitsInEveryJitTierAndWithOneOrTwoThreads() throws Exception {
        Process one = start(1);
        Process two = start(2);
        Map<String, String[]> withOne = results(one, "1 thread");
        Map<String, String[]> withTwo = results(two, "2 threads");
        assertTrue(withOne.size() >= 40, "the probe reported " + withOne.size() + " ops: " + withOne.keySet());
        assertEquals(withOne.keySet(), withTwo.keySet());
        List<String> problems = new ArrayList<>();
        withOne.forEach((op, r1) -> {
            String[] r2 = withTwo.get(op);
            if (!r1[2].equals("-1")) {
                problems.add(op + " (1 thread) changed its bits at repetition " + r1[2] + " of " + r1[1]);
            }
            if (!r2[2].equals("-1")) {
                problems.add(op + " (2 threads) changed its bits at repetition " + r2[2] + " of " + r2[1]);
            }
            if (!r1[0].equals(r2[0])) {
                problems.add(op + " differs between 1 and 2 threads (" + r1[0] + " vs " + r2[0] + ")");
            }
        });
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    private static Process start(int threads) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "--add-modules", "jdk.incubator.vector",
                "-Dtessera.threads=" + threads, "-cp", System.getProperty("java.class.path"),
                DeterminismProbe.class.getName());
        pb.redirectErrorStream(true);
        return pb.start();
    }

    /** {@code op -> [hash, repetitions, first differing repetition]}, read from the probe's output. */
    private static Map<String, String[]> results(Process p, String what) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread drain = new Thread(() -> copy(p.getInputStream(), out), "probe-output");
        drain.start();
        try {
            assertTrue(p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS), "the probe (" + what + ") did not finish in "
                    + TIMEOUT_SECONDS + " s: " + out);
            drain.join(10_000);
            String text = out.toString(StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), "the probe (" + what + ") failed:\n" + text);
            Map<String, String[]> r = new LinkedHashMap<>();
            for (String line : text.split("\n")) {
                String[] f = line.trim().split(" ");
                if (f.length == 5 && f[0].equals("op")) {
                    r.put(f[1], new String[] {f[2], f[3], f[4]});
                }
            }
            return r;
        } finally {
            p.destroyForcibly();
        }
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        try (in) {
            in.transferTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
