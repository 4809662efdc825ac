package dev.tessera;

import dev.tessera.spi.ScopeFrame;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * A small, bounded, thread-safe cache of constants that ops and layers would otherwise rebuild and
 * upload on every call: index tables, causal masks, ranges. Keys name the device (or backend) and
 * the geometry, so each constant is built once where it is used. When full, the least recently used
 * entry is dropped (it stays valid for whoever still holds it; the garbage collector frees it).
 *
 * <p>Values are built outside any open {@link MemoryScope}, so a scope never releases them.
 * Cached values are shared: callers must treat them as read-only. A value is built outside the
 * lock, so builders may use other caches; when two threads build the same key at once, the first
 * value stored wins and both callers get it.
 *
 * @param <K> the key: a value type (record) naming the device and the geometry
 * @param <V> the cached constant
 */
public final class ConstantCache<K, V> {
    /** The default number of entries, enough for the shapes of one model. */
    public static final int DEFAULT_CAPACITY = 16;

    private final String name;
    private final int capacity;
    private final LinkedHashMap<K, V> entries;

    /**
     * Creates an empty cache called {@code name} (for messages) holding at most {@code capacity} entries.
     *
     * @throws IllegalArgumentException if {@code capacity < 1}
     */
    public ConstantCache(String name, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("ConstantCache " + name + ": capacity must be >= 1, got " + capacity);
        }
        this.name = Objects.requireNonNull(name, "ConstantCache: name must not be null");
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(capacity * 2, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > ConstantCache.this.capacity;
            }
        };
    }

    /** Creates an empty cache of {@link #DEFAULT_CAPACITY} entries. */
    public ConstantCache(String name) {
        this(name, DEFAULT_CAPACITY);
    }

    /**
     * Returns the constant for {@code key}, building it with {@code build} (outside the lock) the
     * first time or after it was evicted; marks it most recently used.
     *
     * @throws NullPointerException if the key, the builder or the value it builds is null
     */
    public V get(K key, Function<? super K, ? extends V> build) {
        Objects.requireNonNull(key, () -> "ConstantCache " + name + ": key must not be null");
        synchronized (entries) {
            V v = entries.get(key);
            if (v != null) {
                return v;
            }
        }
        // Built outside memory scopes: a cached value outlives the scope of the call that built it.
        V built = Objects.requireNonNull(ScopeFrame.outsideScopes(() -> build.apply(key)),
                () -> "ConstantCache " + name + ": built null for " + key);
        synchronized (entries) {
            V raced = entries.putIfAbsent(key, built);
            return raced != null ? raced : built;
        }
    }

    /** Returns the number of cached entries (at most {@link #capacity()}). */
    public int size() {
        synchronized (entries) {
            return entries.size();
        }
    }

    /** Returns the most entries this cache holds. */
    public int capacity() {
        return capacity;
    }

    /** Drops every entry; modifies this cache. */
    public void clear() {
        synchronized (entries) {
            entries.clear();
        }
    }

    @Override
    public String toString() {
        return "ConstantCache " + name + " (" + size() + "/" + capacity + ")";
    }
}
