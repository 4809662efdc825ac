package dev.tessera;

import dev.tessera.spi.ScopeFrame;
import java.util.Objects;

/**
 * Frees device memory deterministically: every storage a backend creates on this thread while the
 * scope is open (the innermost one, when scopes nest) is released when it closes, except those of
 * the tensors passed to {@link #keep}, which move to the enclosing scope like a return value (or,
 * with none, to the garbage collector).
 *
 * <pre>{@code
 * try (var scope = MemoryScope.open()) {
 *     Tensor loss = lossFn.apply(model.forward(x), y);
 *     loss.backward();
 *     optimizer.step();
 *     scope.keep(loss);       // everything else computed in the step is freed here
 * }
 * }</pre>
 *
 * <p>State that outlives steps is never released by a scope: leaves that require grad (parameters),
 * their gradients, and tensors passed to {@link #persist} (optimizer state and module buffers do
 * this). A tensor whose memory was released throws {@link IllegalStateException} naming the op
 * when used. Only the data of a kept tensor survives, not the autograd graph behind it: call
 * {@code backward()} inside the scope. Scopes are per thread and must be closed on the thread and
 * in the reverse order they were opened (try-with-resources does both). On the CPU release only
 * drops the array early; without any scope, the garbage collector frees everything as before.
 */
public final class MemoryScope implements AutoCloseable {
    private final ScopeFrame frame;

    private MemoryScope(ScopeFrame frame) {
        this.frame = frame;
    }

    /** Opens a scope on the current thread, nested in the innermost open one; returns it. */
    public static MemoryScope open() {
        return new MemoryScope(ScopeFrame.open());
    }

    /**
     * Keeps {@code t}'s storage (shared by all its views) and its gradient's past this scope's
     * close, handing them to the enclosing scope; returns {@code t}. A tensor created outside this
     * scope is left to the scope that created it.
     *
     * @throws IllegalStateException if the scope is closed or belongs to another thread
     */
    public Tensor keep(Tensor t) {
        Objects.requireNonNull(t, "MemoryScope.keep: tensor must not be null");
        frame.keep(t.storage);
        if (t.grad != null) {
            frame.keep(t.grad.storage);
        }
        return t;
    }

    /**
     * Exempts {@code t}'s storage from release by every scope open on this thread, for state that
     * outlives steps (optimizer state, running statistics, caches); the garbage collector frees it
     * once unreachable. Returns {@code t}.
     */
    public static Tensor persist(Tensor t) {
        Objects.requireNonNull(t, "MemoryScope.persist: tensor must not be null");
        ScopeFrame.persist(t.storage);
        return t;
    }

    /** Returns the number of storages this scope currently holds (kept and exempt ones included). */
    public int size() {
        return frame.size();
    }

    /**
     * Releases every storage created in this scope except kept and exempt ones, and makes the
     * enclosing scope the innermost again; closing twice does nothing.
     *
     * @throws IllegalStateException if called from another thread, or while a scope opened inside
     *                               this one is still open
     */
    @Override
    public void close() {
        frame.close();
    }
}
