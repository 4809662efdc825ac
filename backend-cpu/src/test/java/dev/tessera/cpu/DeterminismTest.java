package dev.tessera.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The CPU backend's results do not depend on the JIT tier nor on the number of threads: {@link
 * DeterminismProbe} runs every op of the guarantee in a fresh JVM, first cold (interpreted), then
 * until C2 has compiled it, once with 1 thread and once with 2; every result must keep the bits of
 * the first one, and both JVMs must agree.
 */
class DeterminismTest {
    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    @Test
    void everyOpGivesTheSameBitsInEveryJitTierAndWithOneOrTwoThreads() {
        // Both JVMs at once: each is mostly single-threaded JIT work.
        CompletableFuture<Map<String, String[]>> two = CompletableFuture.supplyAsync(() -> probe(2));
        Map<String, String[]> withOne = probe(1);
        Map<String, String[]> withTwo = two.join();
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

    /** {@code op -> [hash, repetitions, first differing repetition]}, from a probe JVM with {@code threads} threads. */
    private static Map<String, String[]> probe(int threads) {
        try {
            String out = ChildJvm.run(TIMEOUT, DeterminismProbe.class.getName(), "--add-modules", "jdk.incubator.vector",
                    "-Dtessera.threads=" + threads).assertSucceeded().output();
            Map<String, String[]> r = new LinkedHashMap<>();
            for (String line : out.split("\n")) {
                String[] f = line.trim().split(" ");
                if (f.length == 5 && f[0].equals("op")) {
                    r.put(f[1], new String[] {f[2], f[3], f[4]});
                }
            }
            return r;
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("could not run the probe with " + threads + " threads", e);
        }
    }
}
