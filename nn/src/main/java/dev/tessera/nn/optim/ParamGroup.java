package dev.tessera.nn.optim;

import dev.tessera.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A set of parameters that an {@link Optimizer} updates with the same hyper-parameters, as a
 * PyTorch param group: e.g. a pretrained backbone with a small learning rate and a new head with
 * a larger one, or biases without weight decay.
 *
 * <p>Hyper-parameters are named as in PyTorch ({@link #LR}, {@link #WEIGHT_DECAY}, {@code
 * "momentum"}, {@code "beta1"}, ...) and held as doubles (flags as 0 or 1) so that they go into an
 * {@link OptimizerState} unchanged. Those not set here are filled from the optimizer's defaults
 * when the group is given to the optimizer, which then owns the group: it validates the values and
 * changes {@link #LR} when a scheduler or {@link Optimizer#setLr(float)} asks it to.
 *
 * <pre>{@code
 * var groups = List.of(new ParamGroup(backbone.parameters(), 1e-4f),
 *                      new ParamGroup(head.parameters()).set(ParamGroup.WEIGHT_DECAY, 0));
 * var opt = new SGD(groups, new SGD.Options().lr(1e-2f).momentum(0.9f).weightDecay(5e-4f));
 * }</pre>
 */
public final class ParamGroup {
    /** The learning rate. */
    public static final String LR = "lr";
    /** The weight decay (L2 penalty, or decoupled decay in AdamW). */
    public static final String WEIGHT_DECAY = "weight_decay";
    /** The learning rate a scheduler scales; set by the first scheduler attached to the optimizer. */
    public static final String INITIAL_LR = "initial_lr";

    private final List<Tensor> params;
    private final Map<String, Double> hyper = new LinkedHashMap<>();

    /**
     * Creates a group of {@code params} (the list is copied; the tensors are not) whose
     * hyper-parameters all come from the optimizer's defaults.
     */
    public ParamGroup(List<Tensor> params) {
        Objects.requireNonNull(params, "ParamGroup: params must not be null");
        for (int i = 0; i < params.size(); i++) {
            Objects.requireNonNull(params.get(i), "ParamGroup: parameter " + i + " is null");
        }
        this.params = Collections.unmodifiableList(new ArrayList<>(params));
    }

    /** Creates a group of {@code params} with its own learning rate. */
    public ParamGroup(List<Tensor> params, float lr) {
        this(params);
        set(LR, lr);
    }

    /** Returns the parameters (unmodifiable). */
    public List<Tensor> params() {
        return params;
    }

    /**
     * Sets hyper-parameter {@code name} to {@code value}; modifies and returns this group. The
     * optimizer checks the name and the value (NaN is refused) when it receives the group and
     * before each step.
     */
    public ParamGroup set(String name, double value) {
        Objects.requireNonNull(name, "ParamGroup: hyper-parameter name must not be null");
        hyper.put(name, value);
        return this;
    }

    /** Sets a flag hyper-parameter (stored as 1 or 0); modifies and returns this group. */
    public ParamGroup set(String name, boolean value) {
        return set(name, value ? 1.0 : 0.0);
    }

    /**
     * Returns hyper-parameter {@code name}.
     *
     * @throws IllegalArgumentException if it is not set
     */
    public double get(String name) {
        Double v = hyper.get(name);
        if (v == null) {
            throw new IllegalArgumentException("ParamGroup: hyper-parameter '" + name + "' is not set; this group has "
                    + hyper.keySet());
        }
        return v;
    }

    /** Returns true when flag {@code name} is set and non-zero. */
    public boolean flag(String name) {
        Double v = hyper.get(name);
        return v != null && v != 0.0;
    }

    /** Returns true when hyper-parameter {@code name} is set. */
    public boolean has(String name) {
        return hyper.containsKey(name);
    }

    /** Returns the learning rate. */
    public float lr() {
        return (float) get(LR);
    }

    /** Sets the learning rate; modifies this group (use {@link Optimizer#setLr(int, float)} to have it validated). */
    public void setLr(float lr) {
        set(LR, lr);
    }

    /** Returns the weight decay. */
    public float weightDecay() {
        return (float) get(WEIGHT_DECAY);
    }

    /** Returns a read-only view of the hyper-parameters, in the order they were set. */
    public Map<String, Double> hyperParameters() {
        return Collections.unmodifiableMap(hyper);
    }
}
