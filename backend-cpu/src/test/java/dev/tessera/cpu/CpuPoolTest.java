package dev.tessera.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tessera.KernelThreads;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The team of {@link CpuPool}: coverage, errors, nesting and concurrent callers. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a deadlock fails instead of hanging
class CpuPoolTest {

    @Test
    void manyLoopsInARowEachCoverEveryIndexOnce() {
        // Thousands of short loops exercise the hand-over between spinning and parked workers.
        for (int rep = 0; rep < 5000; rep++) {
            int n = 1 + rep % 97;
            AtomicIntegerArray hits = new AtomicIntegerArray(n);
            CpuPool.parallelFor(n, 1, (s, e) -> {
                for (int i = s; i < e; i++) {
                    hits.incrementAndGet(i);
                }
            });
            for (int i = 0; i < n; i++) {
                assertEquals(1, hits.get(i), "loop " + rep + " index " + i);
            }
        }
    }

    @Test
    void parallelTasksHandsOutEveryTaskOnItsOwn() {
        for (int n : new int[] {0, 1, 2, 7, 32, 500}) {
            AtomicIntegerArray hits = new AtomicIntegerArray(Math.max(1, n));
            List<int[]> ranges = java.util.Collections.synchronizedList(new ArrayList<>());
            CpuPool.parallelTasks(n, (s, e) -> {
                ranges.add(new int[] {s, e});
                for (int i = s; i < e; i++) {
                    hits.incrementAndGet(i);
                }
            });
            for (int i = 0; i < n; i++) {
                assertEquals(1, hits.get(i), "n=" + n + " task " + i);
            }
            // On the team every range is one task; run inline (one thread, or the team busy with
            // another caller's loop) one range holds them all.
            boolean inline = ranges.size() == 1 && ranges.get(0)[0] == 0 && ranges.get(0)[1] == n;
            if (!inline) {
                for (int[] r : ranges) {
                    assertEquals(1, r[1] - r[0], "n=" + n + ": range " + r[0] + ".." + r[1]);
                }
            }
        }
        try (var one = KernelThreads.limit(1)) {
            List<int[]> ranges = java.util.Collections.synchronizedList(new ArrayList<>());
            CpuPool.parallelTasks(9, (s, e) -> ranges.add(new int[] {s, e}));
            assertEquals(1, ranges.size(), "a caller limited to one thread runs all tasks inline");
            assertEquals(9, ranges.get(0)[1] - ranges.get(0)[0]);
        }
        IllegalStateException boom = new IllegalStateException("boom");
        assertSame(boom, assertThrows(IllegalStateException.class, () -> CpuPool.parallelTasks(8, (s, e) -> {
            if (s <= 5 && 5 < e) {
                throw boom;
            }
        })));
        assertThrows(NullPointerException.class, () -> CpuPool.parallelTasks(3, null));
    }

    @Test
    void theOriginalExceptionReachesTheCallerAndThePoolStillWorks() {
        IllegalStateException boom = new IllegalStateException("boom");
        IllegalStateException thrown = assertThrows(IllegalStateException.class,
                () -> CpuPool.parallelFor(64, 1, (s, e) -> {
                    if (s <= 40 && 40 < e) {
                        throw boom;
                    }
                }));
        assertSame(boom, thrown);
        AssertionError error = new AssertionError("an Error from a chunk");
        assertSame(error, assertThrows(AssertionError.class, () -> CpuPool.parallelFor(64, 1, (s, e) -> {
            throw error;
        })));
        AtomicLong sum = new AtomicLong();
        CpuPool.parallelFor(1000, 1, (s, e) -> {
            for (int i = s; i < e; i++) {
                sum.addAndGet(i);
            }
        });
        assertEquals(999L * 1000 / 2, sum.get());
    }

    @Test
    void nestedLoopsRunAndCoverTheirRange() {
        int outer = 8;
        int inner = 50;
        AtomicIntegerArray hits = new AtomicIntegerArray(outer * inner);
        CpuPool.parallelFor(outer, 1, (s, e) -> {
            for (int o = s; o < e; o++) {
                int base = o * inner;
                CpuPool.parallelFor(inner, 1, (s2, e2) -> {
                    for (int i = s2; i < e2; i++) {
                        hits.incrementAndGet(base + i);
                    }
                });
            }
        });
        for (int i = 0; i < outer * inner; i++) {
            assertEquals(1, hits.get(i), "index " + i);
        }
    }

    @Test
    void concurrentCallersEachGetTheirWholeLoop() throws Exception {
        int callers = 6;
        ExecutorService ex = Executors.newFixedThreadPool(callers);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < callers; c++) {
                int n = 1000 + c;
                futures.add(ex.submit(() -> {
                    for (int rep = 0; rep < 300; rep++) {
                        AtomicIntegerArray hits = new AtomicIntegerArray(n);
                        CpuPool.parallelFor(n, 16, (s, e) -> {
                            for (int i = s; i < e; i++) {
                                hits.incrementAndGet(i);
                            }
                        });
                        for (int i = 0; i < n; i++) {
                            assertEquals(1, hits.get(i), "n=" + n + " index " + i);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            ex.shutdownNow();
        }
    }
}
