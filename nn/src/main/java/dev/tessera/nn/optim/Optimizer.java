package dev.tessera.nn.optim;

import dev.tessera.DType;
import dev.tessera.GradMode;
import dev.tessera.Shape;
import dev.tessera.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.DoublePredicate;

/**
 * Updates parameters from their gradients, as PyTorch's {@code torch.optim.Optimizer}.
 *
 * <p>The parameters are split into {@link ParamGroup}s, each with its own hyper-parameters (those a
 * group does not set come from the optimizer's defaults). {@link #step()} runs under {@link
 * Tensor#noGrad()} and updates every parameter that has a gradient <em>in place</em> (the parameter
 * tensors stay the same objects, so a model keeps seeing them); parameters whose {@link
 * Tensor#grad()} is null are skipped. Per-parameter buffers (momentum, moments) are created on the
 * parameter's device on its first update.
 *
 * <p>A subclass supplies the update of one parameter ({@link #update}) and the validation of a
 * group's hyper-parameters ({@link #validate}); the bookkeeping (groups, state, learning rates,
 * state save and restore) lives here. Not thread-safe.
 */
public abstract class Optimizer {
    private final String name;
    private final Map<String, Double> defaults;
    private final List<ParamGroup> groups = new ArrayList<>();
    private Map<Tensor, ParamState> state = new IdentityHashMap<>();

    /**
     * Creates an optimizer over {@code groups}; fills each group's unset hyper-parameters from
     * {@code defaults} (which modifies the groups) and validates them.
     *
     * @param name     the name used in error messages, e.g. "SGD"
     * @param groups   the parameter groups (at least one parameter in all)
     * @param defaults every hyper-parameter this optimizer knows, with its default value
     * @throws IllegalArgumentException if there are no parameters, a parameter is not a FLOAT32 leaf or appears twice, or a
     *                                  hyper-parameter is unknown or out of range
     */
    protected Optimizer(String name, List<ParamGroup> groups, Map<String, Double> defaults) {
        this.name = Objects.requireNonNull(name, "Optimizer: name must not be null");
        this.defaults = Collections.unmodifiableMap(new LinkedHashMap<>(defaults));
        Objects.requireNonNull(groups, name + ": param groups must not be null");
        for (ParamGroup g : groups) {
            addParamGroup(g);
        }
        if (parameters().isEmpty()) {
            throw new IllegalArgumentException(name + ": got an empty parameter list");
        }
    }

    /** Wraps a plain parameter list as the single group of an optimizer. */
    protected static List<ParamGroup> singleGroup(List<Tensor> params) {
        return List.of(new ParamGroup(params));
    }

    /**
     * Updates one parameter in place from its gradient; called by {@link #step()} under no-grad
     * for each parameter with a gradient.
     *
     * @param group the parameter's group (read its hyper-parameters)
     * @param param the parameter, to be modified in place
     * @param grad  its gradient (must not be modified: it is the user's {@code param.grad()}); unless
     *              {@link #retainsGradients()} says otherwise, not to be kept past this call
     * @param state its state, to be read and modified
     */
    protected abstract void update(ParamGroup group, Tensor param, Tensor grad, ParamState state);

    /**
     * Whether {@link #update} may keep a reference to the gradient it is given beyond the call.
     * When false, as for every optimizer of this package, {@link #step()} reads the gradients with
     * {@link Tensor#gradForUpdate()}, and a later {@code zeroGrad()} may reuse their buffers for
     * the next {@code backward()}. True by default, so that a subclass that keeps gradients is safe.
     *
     * @return true if {@code update} may keep the gradient tensor
     */
    protected boolean retainsGradients() {
        return true;
    }

    /**
     * Checks a group's hyper-parameters, throwing {@link IllegalArgumentException} (see {@link
     * #require}); {@code where} is a suffix naming the group in messages ("" for a lone group).
     */
    protected abstract void validate(ParamGroup group, String where);

    /**
     * Returns hyper-parameter {@code key} of {@code group} after checking {@code ok} holds for it.
     *
     * @throws IllegalArgumentException "NAME: key must be RULE, got VALUE" when it does not
     */
    protected final double require(ParamGroup group, String key, DoublePredicate ok, String rule, String where) {
        double v = group.get(key);
        if (!ok.test(v)) {
            throw new IllegalArgumentException(name + ": " + key + " must be " + rule + ", got " + format(v) + where);
        }
        return v;
    }

    /** Returns the name used in messages, e.g. "Adam". */
    public String name() {
        return name;
    }

    /** Returns the default hyper-parameters (read-only). */
    public Map<String, Double> defaults() {
        return defaults;
    }

    /** Returns the parameter groups (read-only list; the groups themselves may be changed). */
    public List<ParamGroup> paramGroups() {
        return Collections.unmodifiableList(groups);
    }

    /**
     * Adds a group (e.g. layers unfrozen during fine-tuning); fills its unset hyper-parameters from
     * the defaults, which modifies it, and validates it.
     *
     * @throws IllegalArgumentException if a parameter is already optimized here, is not a FLOAT32 leaf, or a
     *                                  hyper-parameter is unknown or out of range
     */
    public final void addParamGroup(ParamGroup group) {
        Objects.requireNonNull(group, name + ": param group must not be null");
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        seen.addAll(parameters());
        int index = groups.size();
        for (int i = 0; i < group.params().size(); i++) {
            Tensor p = group.params().get(i);
            String which = "parameter " + i + " of param group " + index + " (shape " + Shape.str(p.shape()) + ")";
            if (!seen.add(p)) {
                throw new IllegalArgumentException(name + ": " + which + " appears more than once across the param groups");
            }
            if (p.dtype() != DType.FLOAT32) {
                throw new IllegalArgumentException(name + ": " + which + " is " + p.dtype() + "; only FLOAT32 tensors can be optimized");
            }
            if (!p.isLeaf()) {
                throw new IllegalArgumentException(name + ": " + which + " is not a leaf tensor (it is the result of '"
                        + p.gradFnName() + "'); optimize the leaf tensors the model owns");
            }
        }
        for (Map.Entry<String, Double> d : defaults.entrySet()) {
            if (!group.has(d.getKey())) {
                group.set(d.getKey(), d.getValue());
            }
        }
        check(group, index == 0 ? "" : " (param group " + index + ")");
        groups.add(group);
    }

    private void check(ParamGroup group, String where) {
        for (String key : group.hyperParameters().keySet()) {
            if (!defaults.containsKey(key) && !key.equals(ParamGroup.INITIAL_LR)) {
                throw new IllegalArgumentException(name + ": unknown hyper-parameter '" + key + "'" + where + "; known: "
                        + defaults.keySet());
            }
        }
        require(group, ParamGroup.LR, v -> v >= 0, ">= 0", where);
        validate(group, where);
        for (String key : group.hyperParameters().keySet()) {
            require(group, key, v -> !Double.isNaN(v), "a number", where);
        }
    }

    private String where(int groupIndex) {
        return groupIndex == 0 && groups.size() <= 1 ? "" : " (param group " + groupIndex + ")";
    }

    /** Returns every parameter, group after group (the numbering used by {@link #stateDict()}). */
    public List<Tensor> parameters() {
        List<Tensor> all = new ArrayList<>();
        for (ParamGroup g : groups) {
            all.addAll(g.params());
        }
        return all;
    }

    /** Clears the gradient of every parameter (sets it to null, as PyTorch's default); modifies the parameters. */
    public void zeroGrad() {
        zeroGrad(true);
    }

    /**
     * Clears the gradient of every parameter: sets it to null when {@code setToNone}, else fills the
     * existing gradient with zeros, so that the next {@code backward()} accumulates into the same
     * buffer (as PyTorch's {@code zero_grad(set_to_none=False)}): no gradient memory is allocated
     * per step, which keeps a GPU's memory flat. Modifies the parameters' gradients.
     */
    public void zeroGrad(boolean setToNone) {
        try (var ng = Tensor.noGrad()) {
            for (ParamGroup g : groups) {
                for (Tensor p : g.params()) {
                    Tensor grad = p.gradForUpdate();
                    if (setToNone || grad == null) {
                        p.zeroGrad();
                    } else {
                        grad.fill(0f);
                    }
                }
            }
        }
    }

    /**
     * Performs one update of every parameter that has a gradient, in place and under no-grad;
     * parameters with a null gradient are skipped. Modifies the parameters and this optimizer's state.
     *
     * @throws IllegalArgumentException if a group's hyper-parameters were changed to invalid values
     */
    public void step() {
        boolean retains = retainsGradients();
        try (GradMode ignored = Tensor.noGrad()) {
            for (int i = 0; i < groups.size(); i++) {
                ParamGroup g = groups.get(i);
                check(g, where(i));
                for (Tensor p : g.params()) {
                    Tensor grad = retains ? p.grad() : p.gradForUpdate();
                    if (grad != null) {
                        update(g, p, grad, state.computeIfAbsent(p, k -> new ParamState()));
                    }
                }
            }
        }
    }

    /** Returns the learning rate of the first group. */
    public float lr() {
        return groups.get(0).lr();
    }

    /** Returns the learning rate of group {@code group}. */
    public float lr(int group) {
        return groups.get(checkGroupIndex(group)).lr();
    }

    /**
     * Sets the learning rate of every group; modifies the groups.
     *
     * @throws IllegalArgumentException if {@code lr} is negative or NaN
     */
    public void setLr(float lr) {
        checkLr(lr);
        for (ParamGroup g : groups) {
            g.setLr(lr);
        }
    }

    /**
     * Sets the learning rate of group {@code group}; modifies it.
     *
     * @throws IllegalArgumentException if {@code lr} is negative or NaN, or there is no such group
     */
    public void setLr(int group, float lr) {
        checkLr(lr);
        groups.get(checkGroupIndex(group)).setLr(lr);
    }

    private void checkLr(float lr) {
        if (!(lr >= 0)) {
            throw new IllegalArgumentException(name + ": lr must be >= 0, got " + lr);
        }
    }

    private int checkGroupIndex(int group) {
        if (group < 0 || group >= groups.size()) {
            throw new IllegalArgumentException(name + ": param group " + group + " does not exist; there are "
                    + groups.size());
        }
        return group;
    }

    /**
     * Returns a copy of the state: every group's hyper-parameters and every parameter's buffers and
     * scalars, keyed as described in {@link OptimizerState}. Later steps do not change it.
     */
    public OptimizerState stateDict() {
        return StateDicts.save(groups, state);
    }

    /**
     * Replaces this optimizer's state and group hyper-parameters with {@code saved} (copied, and
     * moved to each parameter's device), so that an optimizer built over the same parameters in the
     * same groups continues exactly where the saved one stopped. Nothing is changed if it throws.
     *
     * @throws IllegalArgumentException if the group structure, a buffer's shape, or a key does not fit this optimizer
     */
    public void loadStateDict(OptimizerState saved) {
        Objects.requireNonNull(saved, name + ": state must not be null");
        StateDicts.Loaded loaded = StateDicts.parse(this, saved);
        for (int gi = 0; gi < groups.size(); gi++) {
            ParamGroup trial = new ParamGroup(groups.get(gi).params());
            groups.get(gi).hyperParameters().forEach(trial::set);
            loaded.hyper().get(gi).forEach(trial::set);
            check(trial, " (param group " + gi + " of the saved state)");
        }
        for (int gi = 0; gi < groups.size(); gi++) {
            loaded.hyper().get(gi).forEach(groups.get(gi)::set);
        }
        state = loaded.state();
    }

    /**
     * Scales the gradients of {@code params} so that their global 2-norm is at most {@code maxNorm},
     * as PyTorch's {@code clip_grad_norm_}; see {@link GradClip#clipGradNorm(List, float)}. Modifies
     * the gradients; returns the total norm before clipping.
     */
    public static float clipGradNorm(List<Tensor> params, float maxNorm) {
        return GradClip.clipGradNorm(params, maxNorm);
    }

    /** Formats a hyper-parameter for a message: as the float the user most likely passed, when it is one. */
    static String format(double v) {
        return v == (double) (float) v ? Float.toString((float) v) : Double.toString(v);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(name).append('(');
        for (int i = 0; i < groups.size(); i++) {
            ParamGroup g = groups.get(i);
            sb.append(i == 0 ? "" : ", ").append("group ").append(i).append(": ").append(g.params().size())
                    .append(" params ").append(g.hyperParameters());
        }
        return sb.append(')').toString();
    }
}
