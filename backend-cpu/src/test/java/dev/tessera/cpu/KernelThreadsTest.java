package dev.tessera.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.KernelThreads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The per-thread kernel thread limit ({@link KernelThreads}) and how the CPU pool and GEMM honour
 * it: scopes nest and restore, a limit of one keeps every loop on the caller, a limit of two lets at
 * most one worker help (in a child JVM with a team of four), and a product gives the same bits
 * whatever the limit.
 */
class KernelThreadsTest {

    @Test
    void scopesNestRestoreAndBelongToTheirThread() throws InterruptedException {
        assertEquals(Integer.MAX_VALUE, KernelThreads.current(), "no limit by default");
        try (KernelThreads outer = KernelThreads.limit(3)) {
            assertEquals(3, KernelThreads.current());
            assertEquals(Math.min(3, CpuPool.parallelism()), CpuPool.callerParallelism());
            KernelThreads inner = KernelThreads.limit(1);
            assertEquals(1, KernelThreads.current());
            assertEquals(1, CpuPool.callerParallelism());
            int[] seenElsewhere = new int[1];
            AtomicReference<Throwable> closeElsewhere = new AtomicReference<>();
            Thread other = new Thread(() -> {
                seenElsewhere[0] = KernelThreads.current();
                try {
                    inner.close();
                } catch (IllegalStateException e) {
                    closeElsewhere.set(e);
                }
            }, "kernel-threads-other");
            other.start();
            other.join();
            assertEquals(Integer.MAX_VALUE, seenElsewhere[0], "another thread does not inherit the limit");
            assertTrue(closeElsewhere.get() instanceof IllegalStateException
                    && closeElsewhere.get().getMessage().contains("kernel-threads-other"), String.valueOf(closeElsewhere.get()));
            assertEquals(1, KernelThreads.current(), "a failed close on another thread changes nothing");
            inner.close();
            inner.close(); // a second close does nothing
            assertEquals(3, KernelThreads.current());
        }
        assertEquals(Integer.MAX_VALUE, KernelThreads.current());
        assertEquals(CpuPool.parallelism(), CpuPool.callerParallelism());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KernelThreads.limit(0));
        assertTrue(e.getMessage().contains("KernelThreads.limit") && e.getMessage().contains("0"), e.getMessage());
    }

    @Test
    void aLimitOfOneRunsEveryLoopOnTheCallerInOneChunk() {
        Thread me = Thread.currentThread();
        List<Thread> runners = Collections.synchronizedList(new ArrayList<>());
        List<int[]> chunks = Collections.synchronizedList(new ArrayList<>());
        try (KernelThreads k = KernelThreads.limit(1)) {
            CpuPool.parallelFor(100_000, 1, (s, e) -> {
                runners.add(Thread.currentThread());
                chunks.add(new int[] {s, e});
            });
        }
        assertEquals(List.of(me), runners);
        assertArrayEquals(new int[] {0, 100_000}, chunks.get(0));
    }

    /** A product big enough for the pool gives, under a limit of one, exactly the bits it gives on the whole team. */
    @Test
    void aProductHasTheSameBitsWhateverTheLimit() {
        int m = 150;
        int n = 260;
        int k = 90;
        assertTrue((long) m * n * k >= Gemm.PARALLEL_THRESHOLD);
        SplittableRandom rnd = new SplittableRandom(11);
        float[] a = new float[m * k];
        float[] b = new float[k * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) rnd.nextDouble(-1, 1);
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) rnd.nextDouble(-1, 1);
        }
        float[] team = new float[m * n];
        Gemm.sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, team, 0, n);
        float[] alone = new float[m * n];
        try (KernelThreads t = KernelThreads.limit(1)) {
            Gemm.sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, alone, 0, n);
        }
        assertArrayEquals(team, alone);
        for (int i = 0; i < m; i += 37) {
            for (int j = 0; j < n; j += 41) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s += (double) a[i * k + p] * b[p * n + j];
                }
                assertEquals(s, alone[i * n + j], 1e-4, "C[" + i + "][" + j + "]");
            }
        }
    }

    /** In a JVM whose team has four threads, a caller limited to two gets at most one worker's help. */
    @Test
    void aLimitOfTwoLetsOneWorkerHelp() throws Exception {
        String out = ChildJvm.run(Duration.ofSeconds(60), TeamOfFour.class.getName(), "-Dtessera.threads=4")
                .assertSucceeded().output();
        assertTrue(out.contains("team=4"), out);
        String limited = out.substring(out.indexOf("limited=") + "limited=".length()).trim().split("\\s")[0];
        int threads = Integer.parseInt(limited);
        assertTrue(threads >= 1 && threads <= 2, "threads that ran a loop limited to 2: " + out);
    }

    /** The child JVM's program: prints the team size and how many threads ran loops of slow chunks under a limit of 2. */
    public static final class TeamOfFour {
        private TeamOfFour() {
        }

        /** Prints {@code team=N limited=T}, T the most threads that ran one loop's chunks. */
        public static void main(String[] args) {
            int most = 0;
            try (KernelThreads k = KernelThreads.limit(2)) {
                for (int rep = 0; rep < 5; rep++) {
                    Set<Thread> seen = ConcurrentHashMap.newKeySet();
                    CpuPool.parallelFor(64, 1, (s, e) -> {
                        seen.add(Thread.currentThread());
                        try {
                            Thread.sleep(2);
                        } catch (InterruptedException ex) {
                            Thread.currentThread().interrupt();
                        }
                    });
                    most = Math.max(most, seen.size());
                }
            }
            System.out.println("team=" + CpuPool.parallelism() + " limited=" + most);
        }
    }
}
