package dev.tessera.nn.optim;

import dev.tessera.MemoryScope;
import dev.tessera.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The optimizer state of one parameter: named buffers shaped like it (PyTorch's names, e.g.
 * {@code "momentum_buffer"}, {@code "exp_avg"}) and named scalars (e.g. {@code "step"}). Created and
 * owned by the {@link Optimizer}; {@link Optimizer#stateDict()} copies it out.
 */
public final class ParamState {
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Double> scalars = new LinkedHashMap<>();

    /** Creates an empty state. */
    public ParamState() {
    }

    /** Returns buffer {@code name}, or null if it does not exist yet. */
    public Tensor buffer(String name) {
        return buffers.get(name);
    }

    /**
     * Returns buffer {@code name}, first creating it as zeros shaped like {@code param} (on its
     * device) if it does not exist; may modify this state.
     */
    public Tensor bufferOrZeros(String name, Tensor param) {
        return buffers.computeIfAbsent(name, k -> MemoryScope.persist(param.zerosLike()));
    }

    /** Stores {@code buffer} (not copied) as {@code name}; modifies this state. */
    public void putBuffer(String name, Tensor buffer) {
        Objects.requireNonNull(buffer, "ParamState: buffer must not be null");
        buffers.put(Objects.requireNonNull(name), MemoryScope.persist(buffer)); // optimizer state outlives memory scopes
    }

    /** Returns scalar {@code name}, or {@code defaultValue} if it is not set. */
    public double scalar(String name, double defaultValue) {
        return scalars.getOrDefault(name, defaultValue);
    }

    /** Sets scalar {@code name}; modifies this state. */
    public void putScalar(String name, double value) {
        scalars.put(Objects.requireNonNull(name), value);
    }

    /** Returns a read-only view of the buffers. */
    public Map<String, Tensor> buffers() {
        return Collections.unmodifiableMap(buffers);
    }

    /** Returns a read-only view of the scalars. */
    public Map<String, Double> scalars() {
        return Collections.unmodifiableMap(scalars);
    }

    /** Returns true when no buffer and no scalar is set. */
    public boolean isEmpty() {
        return buffers.isEmpty() && scalars.isEmpty();
    }
}
