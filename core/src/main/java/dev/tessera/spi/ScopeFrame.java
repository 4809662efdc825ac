package dev.tessera.spi;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/**
 * The mechanism behind {@link dev.tessera.MemoryScope}: a per-thread stack of frames, each holding
 * the storages created while it was the innermost one. {@link MemoryLedger#track} registers new
 * storages here; backends never call this class directly. Registration is O(1) (an append to the
 * innermost frame's list); a frame is used by the thread that opened it only.
 */
public final class ScopeFrame {
    private static final ThreadLocal<ScopeFrame> INNERMOST = new ThreadLocal<>();
    /** Heap storages held by the frames of every thread, and their bytes (see {@link MemoryLedger#heapStats}). */
    private static final LongAdder HEAP_BUFFERS = new LongAdder();
    private static final LongAdder HEAP_BYTES = new LongAdder();

    private final ScopeFrame parent;
    private final Thread thread;
    private final ArrayList<Storage> owned = new ArrayList<>();
    /** Which entries of {@link #owned} are heap storages, counted in the heap totals while a frame holds them. */
    private final BitSet heap = new BitSet();
    /** Storages to hand to the parent frame on close; created on first use. */
    private Set<Storage> kept;
    /** Storages never to release (parameters, gradients, optimizer state); created on first use. */
    private Set<Storage> exempt;
    private boolean closed;

    private ScopeFrame(ScopeFrame parent) {
        this.parent = parent;
        this.thread = Thread.currentThread();
    }

    /** Opens a frame on the current thread, inside the innermost open one (if any); returns it. */
    public static ScopeFrame open() {
        ScopeFrame frame = new ScopeFrame(INNERMOST.get());
        INNERMOST.set(frame);
        return frame;
    }

    /**
     * Registers {@code storage} with the current thread's innermost frame, if one is open; a {@link
     * HeapStorage} is also counted in the heap totals until the frames let go of it.
     */
    static void register(Storage storage) {
        ScopeFrame frame = INNERMOST.get();
        if (frame != null) {
            if (storage instanceof HeapStorage) {
                frame.addHeap(storage);
            } else {
                frame.owned.add(storage);
            }
        }
    }

    /**
     * Hands {@code storage}, which no longer has an owner (e.g. a gradient that {@code zeroGrad()}
     * dropped), to the current thread's innermost frame, if one is open, which releases it when it
     * closes unless it is kept or exempt there.
     */
    public static void adopt(Storage storage) {
        register(storage);
    }

    private void addHeap(Storage storage) {
        heap.set(owned.size());
        owned.add(storage);
        HEAP_BUFFERS.increment();
        HEAP_BYTES.add(bytes(storage));
    }

    private static long bytes(Storage storage) {
        return 4L * storage.length(); // FLOAT32 and INT32 alike
    }

    /** The heap storages the frames of every thread hold now: buffers and bytes. */
    static long[] heapTotals() {
        return new long[] {HEAP_BUFFERS.sum(), HEAP_BYTES.sum()};
    }

    /**
     * Exempts {@code storage} from release by every frame open on the current thread: it will be
     * freed only by the garbage collector's cleaner (or an explicit {@link Storage#release()}).
     */
    public static void persist(Storage storage) {
        for (ScopeFrame f = INNERMOST.get(); f != null; f = f.parent) {
            if (f.exempt == null) {
                f.exempt = Collections.newSetFromMap(new IdentityHashMap<>());
            }
            f.exempt.add(storage);
        }
    }

    /**
     * Runs {@code build} with no frame open on the current thread, so that what it creates belongs
     * to the garbage collector (and, for device memory, its cleaner) rather than to the open
     * scopes: for caches whose values outlive the scope that first asked for them. Returns what
     * {@code build} returns.
     */
    public static <T> T outsideScopes(java.util.function.Supplier<T> build) {
        ScopeFrame innermost = INNERMOST.get();
        if (innermost == null) {
            return build.get();
        }
        INNERMOST.remove();
        try {
            return build.get();
        } finally {
            INNERMOST.set(innermost);
        }
    }

    /** Returns true while a frame is open on the current thread. */
    public static boolean anyOpen() {
        return INNERMOST.get() != null;
    }

    /**
     * Marks {@code storage} to survive this frame's close: it moves to the parent frame (or, with
     * none, to the garbage collector). A storage this frame does not own is left to its owner.
     *
     * @throws IllegalStateException if this frame is closed or belongs to another thread
     */
    public void keep(Storage storage) {
        check("keep");
        if (kept == null) {
            kept = Collections.newSetFromMap(new IdentityHashMap<>());
        }
        kept.add(storage);
    }

    /** Returns the number of storages this frame holds now (including kept and exempt ones). */
    public int size() {
        return owned.size();
    }

    /**
     * Closes this frame: releases every storage it owns except kept ones (handed to the parent
     * frame) and exempt ones; makes the parent the innermost frame again. Closing twice does
     * nothing. Returns the number of storages released.
     *
     * @throws IllegalStateException if called from another thread or while a frame opened inside
     *                               this one is still open
     */
    public int close() {
        if (closed) {
            return 0;
        }
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("MemoryScope.close: the scope was opened on thread '" + thread.getName()
                    + "' and cannot be closed from '" + Thread.currentThread().getName() + "'");
        }
        if (INNERMOST.get() != this) {
            throw new IllegalStateException("MemoryScope.close: a scope opened inside this one is still open;"
                    + " close scopes in the reverse order of opening (use try-with-resources)");
        }
        closed = true;
        if (parent == null) {
            INNERMOST.remove();
        } else {
            INNERMOST.set(parent);
        }
        int released = 0;
        for (int i = 0, n = owned.size(); i < n; i++) {
            Storage s = owned.get(i);
            boolean isHeap = heap.get(i);
            if (kept != null && kept.contains(s) && parent != null && (exempt == null || !exempt.contains(s))) {
                if (isHeap) {
                    parent.heap.set(parent.owned.size());
                }
                parent.owned.add(s); // still held by a frame: stays counted
                continue;
            }
            if (isHeap) {
                HEAP_BUFFERS.decrement();
                HEAP_BYTES.add(-bytes(s));
            }
            if ((exempt != null && exempt.contains(s)) || (kept != null && kept.contains(s))) {
                continue;
            }
            s.release();
            released++;
        }
        owned.clear();
        heap.clear();
        kept = null;
        exempt = null;
        return released;
    }

    private void check(String op) {
        if (closed) {
            throw new IllegalStateException("MemoryScope." + op + ": the scope is already closed");
        }
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("MemoryScope." + op + ": the scope belongs to thread '" + thread.getName()
                    + "', not '" + Thread.currentThread().getName() + "'");
        }
    }
}
