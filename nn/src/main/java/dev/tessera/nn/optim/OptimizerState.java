package dev.tessera.nn.optim;

import dev.tessera.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A snapshot of an optimizer's state in simple types, so that a checkpoint can write the tensors
 * as safetensors and the scalars as JSON.
 *
 * <p>Keys (PyTorch's names): {@code "state.<p>.<buffer>"} in {@link #tensors()} for the buffers of
 * parameter {@code p} (parameters numbered across all groups in order, e.g. {@code
 * "state.0.exp_avg"}); in {@link #scalars()}, {@code "state.<p>.<name>"} for per-parameter scalars
 * (e.g. {@code "state.0.step"}), {@code "group.<g>.<hyper>"} for each group's hyper-parameters
 * (e.g. {@code "group.1.lr"}) and {@code "group.<g>.num_params"} for the size of each group.
 *
 * @param tensors the buffers, in insertion order (copied into an unmodifiable map; the tensors are not copied)
 * @param scalars the scalars, in insertion order (copied into an unmodifiable map)
 */
public record OptimizerState(Map<String, Tensor> tensors, Map<String, Double> scalars) {
    /** Copies the maps so the state cannot change under its holder. */
    public OptimizerState {
        Objects.requireNonNull(tensors, "OptimizerState: tensors must not be null");
        Objects.requireNonNull(scalars, "OptimizerState: scalars must not be null");
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        scalars = Collections.unmodifiableMap(new LinkedHashMap<>(scalars));
    }
}
