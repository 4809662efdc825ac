package dev.tessera.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link VectorWarmUp} in fresh JVMs: the gates start shut and open once the warm-up thread has
 * seen the kernels run at compiled speed, results keep their bits across the switch, the thread
 * ends; {@code -Dtessera.warmup=false} starts no thread and leaves the gates open.
 */
class VectorWarmUpTest {
    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    @BeforeAll
    static void needsTheVectorModule() {
        assumeTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(),
                "the Vector API module is not in this JVM");
    }

    @Test
    void gatesOpenOnceTheKernelsAreCompiledAndResultsKeepTheirBits() throws Exception {
        String out = ChildJvm.run(TIMEOUT, WarmUpChild.class.getName(), "--add-modules", "jdk.incubator.vector")
                .assertSucceeded().output();
        assertTrue(out.contains("shutAtStart=true"), out);
        // Opened because every probe ran compiled, not because the thread gave up waiting: a probe
        // that can never pass (one that allocates when compiled) would hold its gate until then.
        long openedAfterMs = number(out, "openedAfterMs=");
        assertTrue(openedAfterMs >= 0 && openedAfterMs < VectorWarmUp.GIVE_UP_NANOS / 2_000_000, out);
        assertTrue(out.contains("sameBits=true"), out);
        assertTrue(out.contains("threadLeft=false"), out);
    }

    private static long number(String out, String key) {
        int at = out.indexOf(key);
        assertTrue(at >= 0, out);
        int end = at + key.length();
        while (end < out.length() && (Character.isDigit(out.charAt(end)) || out.charAt(end) == '-')) {
            end++;
        }
        return Long.parseLong(out.substring(at + key.length(), end));
    }

    @Test
    void switchedOffItLeavesTheGatesOpenAndStartsNoThread() throws Exception {
        String out = ChildJvm.run(TIMEOUT, WarmUpChild.class.getName(), "--add-modules", "jdk.incubator.vector",
                "-D" + VectorWarmUp.PROPERTY + "=false").assertSucceeded().output();
        assertTrue(out.contains("shutAtStart=false"), out);
        assertTrue(out.contains("openedAfterMs=0"), out);
        assertTrue(out.contains("sameBits=true"), out);
        assertTrue(out.contains("threadLeft=false"), out);
    }
}
