package dev.tessera;

/**
 * Whether autograd records ops on the current thread. Returned by {@link Tensor#noGrad()} and
 * {@link Tensor#enableGrad()}; closing it restores the previous mode, so scopes nest.
 */
public final class GradMode implements AutoCloseable {
    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});

    private final boolean previous;
    private final Thread owner;
    private boolean closed;

    GradMode(boolean enabled) {
        boolean[] flag = ENABLED.get();
        this.previous = flag[0];
        this.owner = Thread.currentThread();
        flag[0] = enabled;
    }

    /** Returns true when ops on the current thread are recorded for backward. */
    public static boolean isEnabled() {
        return ENABLED.get()[0];
    }

    /** Restores the mode that was in force when this scope opened; a second call does nothing. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("GradMode: a grad-mode scope must be closed on the thread that opened it ("
                    + owner.getName() + "), not on " + Thread.currentThread().getName());
        }
        closed = true;
        ENABLED.get()[0] = previous;
    }
}
