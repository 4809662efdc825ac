package dev.tessera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link ConstantCache}: builds once per key, evicts the least recently used entry, one value per key under races. */
class ConstantCacheTest {

    @Test
    void buildsOncePerKeyAndEvictsTheLeastRecentlyUsed() {
        ConstantCache<Integer, Object> cache = new ConstantCache<>("test", 3);
        AtomicInteger builds = new AtomicInteger();
        Object a = cache.get(1, k -> { builds.incrementAndGet(); return new Object(); });
        cache.get(2, k -> { builds.incrementAndGet(); return new Object(); });
        cache.get(3, k -> { builds.incrementAndGet(); return new Object(); });
        assertSame(a, cache.get(1, k -> new Object()), "a hit returns the cached value and marks it used");
        assertEquals(3, builds.get());
        cache.get(4, k -> { builds.incrementAndGet(); return new Object(); }); // evicts 2, the least recently used
        assertEquals(3, cache.size());
        assertSame(a, cache.get(1, k -> new Object()));
        Object two = cache.get(2, k -> { builds.incrementAndGet(); return new Object(); });
        assertEquals(5, builds.get(), "2 was evicted and is built again");
        assertSame(two, cache.get(2, k -> new Object()));
        cache.clear();
        assertEquals(0, cache.size());
    }

    @Test
    void rejectsBadArguments() {
        assertEquals("ConstantCache x: capacity must be >= 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> new ConstantCache<>("x", 0)).getMessage());
        ConstantCache<String, Object> cache = new ConstantCache<>("x");
        assertEquals(ConstantCache.DEFAULT_CAPACITY, cache.capacity());
        assertThrows(NullPointerException.class, () -> cache.get(null, k -> 1));
        assertThrows(NullPointerException.class, () -> cache.get("k", k -> null));
    }

    @Test
    void racingThreadsGetOneValuePerKey() throws Exception {
        ConstantCache<Integer, Object> cache = new ConstantCache<>("race", 4);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<Object>> calls = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                calls.add(() -> cache.get(7, k -> new Object()));
            }
            Object first = null;
            for (Future<Object> f : pool.invokeAll(calls)) {
                first = first == null ? f.get() : first;
                assertSame(first, f.get());
            }
        } finally {
            pool.shutdown();
        }
    }
}
