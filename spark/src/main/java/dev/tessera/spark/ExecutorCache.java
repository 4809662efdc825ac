package dev.tessera.spark;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What an executor keeps between tasks: the few most recently used unpacked broadcasts (datasets),
 * so that the tasks of one job unpack their data once per executor JVM rather than once per task.
 * Thread-safe; concurrent first requests for one key compute it once.
 */
final class ExecutorCache {
    /** How many unpacked datasets an executor keeps. */
    static final int CAPACITY = 2;

    private static final Map<String, Object> ENTRIES = new LinkedHashMap<>(4, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Object> eldest) {
            return size() > CAPACITY;
        }
    };

    private ExecutorCache() {
    }

    /**
     * Forgets the value kept under {@code key}, if any: the driver calls it when a job is done, which
     * frees the unpacked data at once in local mode (where the driver is the executor); executors
     * elsewhere drop it when newer data pushes it out.
     */
    static synchronized void remove(String key) {
        ENTRIES.remove(key);
    }

    /** Returns the value kept under {@code key}, computing and keeping it with {@code make} if absent. */
    @SuppressWarnings("unchecked")
    static synchronized <T> T get(String key, Supplier<T> make) {
        Object v = ENTRIES.get(key);
        if (v == null) {
            v = make.get();
            ENTRIES.put(key, v);
        }
        return (T) v;
    }
}
