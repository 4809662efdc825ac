package dev.tessera;

/**
 * A limit, for the current thread, on how many threads one kernel it calls may use (intra-op
 * parallelism): {@code try (var k = KernelThreads.limit(1)) { ... }} runs every kernel started
 * inside on the calling thread alone. Closing the scope restores the previous limit, so scopes nest.
 *
 * <p>For applications that already run independent work on several threads at once (folds of a
 * cross-validation, Spark tasks, request handlers): each such thread's kernels then stay on its
 * own core instead of competing for the backend's shared threads, and a machine with {@code c}
 * cores runs {@code c} such threads at close to {@code c} times the speed of one. Results do not
 * depend on the limit: kernels split their work the same way whatever number of threads runs it.
 *
 * <p>Backends read {@link #current()}; the CPU backend lets at most that many threads (the caller
 * included) work on one kernel. Devices with their own parallelism (GPUs) ignore it. The limit
 * belongs to the thread that opened the scope; threads it starts do not inherit it.
 */
public final class KernelThreads implements AutoCloseable {
    /** The current thread's limit; {@link Integer#MAX_VALUE} when none is set. */
    private static final ThreadLocal<int[]> LIMIT = ThreadLocal.withInitial(() -> new int[] {Integer.MAX_VALUE});

    private final int previous;
    private final Thread owner;
    private boolean closed;

    private KernelThreads(int threads) {
        int[] limit = LIMIT.get();
        this.previous = limit[0];
        this.owner = Thread.currentThread();
        limit[0] = threads;
    }

    /**
     * Limits the kernels the current thread calls to {@code threads} threads each (the calling
     * thread included) until the returned scope is closed; an enclosing scope's limit is replaced,
     * not combined.
     *
     * @param threads at least 1; 1 runs every kernel on the calling thread
     * @return the scope, to close on this thread
     * @throws IllegalArgumentException if {@code threads < 1}
     */
    public static KernelThreads limit(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("KernelThreads.limit: threads must be at least 1, got " + threads);
        }
        return new KernelThreads(threads);
    }

    /**
     * Returns the current thread's limit: the value of the innermost open {@link #limit} scope, or
     * {@link Integer#MAX_VALUE} when none is open (the backend decides).
     */
    public static int current() {
        return LIMIT.get()[0];
    }

    /**
     * Restores the limit that was in force when this scope opened; a second call does nothing.
     *
     * @throws IllegalStateException if called on another thread than the one that opened the scope
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("KernelThreads: a limit must be closed on the thread that opened it ("
                    + owner.getName() + "), not on " + Thread.currentThread().getName());
        }
        closed = true;
        LIMIT.get()[0] = previous;
    }
}
