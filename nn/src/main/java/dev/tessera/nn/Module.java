package dev.tessera.nn;

import dev.tessera.DType;
import dev.tessera.Device;
import dev.tessera.MemoryScope;
import dev.tessera.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The base of every layer and model, like {@code torch.nn.Module}: a {@link #forward(Tensor)}
 * computation plus named parameters (trained), buffers (state such as running statistics: saved,
 * not trained) and submodules, each kept in registration order.
 *
 * <p>Names are dotted like PyTorch's: a parameter {@code weight} of the submodule {@code 1} of the
 * submodule {@code encoder} is {@code encoder.1.weight}, so a PyTorch {@code state_dict} loads by
 * name. Subclasses register their state in the constructor with {@link #registerParameter}, {@link
 * #registerBuffer} and {@link #registerModule}, and read it back at forward time with {@link
 * #parameter(String)}, {@link #buffer(String)} and {@link #get(String)} rather than caching it in
 * fields, so that {@link #to(Device)} (which replaces the tensors) and {@link #set(String, Module)}
 * take effect.
 *
 * <p>A module in eval mode holds no per-call state, so {@code forward} may run from many threads at
 * once. The structural methods (register, set, to, train) are not synchronised.
 *
 * <p>The simple name clashes with {@code java.lang.Module}: import {@code dev.tessera.nn.Module}
 * explicitly.
 */
public abstract class Module {
    private final Map<String, Tensor> params = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /** Creates a module with no state, in training mode. */
    protected Module() {
    }

    /** Computes this module's output for {@code input}; does not modify the input. */
    public abstract Tensor forward(Tensor input);

    // ---------------------------------------------------------------- registration

    /**
     * Registers {@code param} as a trainable parameter called {@code name} (replacing a parameter of
     * that name); sets its {@code requiresGrad} to true; returns {@code param}.
     *
     * @throws IllegalArgumentException if the name is empty, contains a dot or names a buffer or
     *                                  submodule, or the tensor is not a FLOAT32 leaf
     */
    protected Tensor registerParameter(String name, Tensor param) {
        checkName("registerParameter", name, params);
        if (param == null || param.dtype() != DType.FLOAT32 || !param.isLeaf()) {
            throw new IllegalArgumentException(typeName() + ".registerParameter: '" + name + "' must be a FLOAT32 leaf tensor"
                    + (param == null ? ", got null" : ", got a " + param.dtype()
                    + (param.isLeaf() ? "" : " result of '" + param.gradFnName() + "' (pass detach())")));
        }
        params.put(name, MemoryScope.persist(param.requiresGrad(true)));
        return param;
    }

    /**
     * Registers {@code buffer} as non-trainable state called {@code name} (replacing a buffer of
     * that name); it is saved in the {@link #stateDict()} and moved by {@link #to(Device)}; returns it.
     *
     * @throws IllegalArgumentException if the name is empty, contains a dot or names a parameter or
     *                                  submodule, or the buffer is null
     */
    protected Tensor registerBuffer(String name, Tensor buffer) {
        checkName("registerBuffer", name, buffers);
        if (buffer == null) {
            throw new IllegalArgumentException(typeName() + ".registerBuffer: buffer '" + name + "' is null");
        }
        buffers.put(name, MemoryScope.persist(buffer)); // module state outlives memory scopes
        return buffer;
    }

    /**
     * Registers {@code module} as a submodule called {@code name} (replacing a submodule of that
     * name); returns {@code module}.
     *
     * @throws IllegalArgumentException if the name is empty, contains a dot or names a parameter or
     *                                  buffer, or the module is null or this module
     */
    protected <M extends Module> M registerModule(String name, M module) {
        checkName("registerModule", name, children);
        if (module == null || module == this) {
            throw new IllegalArgumentException(typeName() + ".registerModule: submodule '" + name + "' is "
                    + (module == null ? "null" : "this module itself"));
        }
        children.put(name, module);
        return module;
    }

    private void checkName(String op, String name, Map<String, ?> own) {
        if (name == null || name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException(typeName() + "." + op + ": name must be non-empty and contain no '.', got '"
                    + name + "'");
        }
        for (Map<String, ?> m : List.of(params, buffers, children)) {
            if (m != own && m.containsKey(name)) {
                throw new IllegalArgumentException(typeName() + "." + op + ": name '" + name
                        + "' is already used by a " + kindOf(m));
            }
        }
    }

    private String kindOf(Map<String, ?> m) {
        return m == params ? "parameter" : m == buffers ? "buffer" : "submodule";
    }

    /**
     * Returns this module's own parameter {@code name} (not a submodule's).
     *
     * @throws IllegalArgumentException if there is none
     */
    protected Tensor parameter(String name) {
        return own("parameter", params, name);
    }

    /**
     * Returns this module's own buffer {@code name}.
     *
     * @throws IllegalArgumentException if there is none
     */
    protected Tensor buffer(String name) {
        return own("buffer", buffers, name);
    }

    private <T> T own(String kind, Map<String, T> map, String name) {
        T t = map.get(name);
        if (t == null) {
            throw new IllegalArgumentException(typeName() + ": no " + kind + " '" + name + "'; it has " + map.keySet());
        }
        return t;
    }

    // ---------------------------------------------------------------- traversal

    /** Returns the direct submodules in registration order (a new list). */
    public List<Module> children() {
        return new ArrayList<>(children.values());
    }

    /** Returns the direct submodules by name in registration order (an unmodifiable copy). */
    public Map<String, Module> namedChildren() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(children));
    }

    /** Returns this module and every descendant, depth first, each once (a new list). */
    public List<Module> modules() {
        return new ArrayList<>(namedModules().values());
    }

    /**
     * Returns this module (name {@code ""}) and every descendant by dotted name, depth first; a
     * module reachable under two names is listed once, under the first.
     */
    public Map<String, Module> namedModules() {
        Map<String, Module> out = new LinkedHashMap<>();
        collectModules("", this, out, Collections.newSetFromMap(new IdentityHashMap<>()));
        return out;
    }

    private static void collectModules(String prefix, Module m, Map<String, Module> out, Set<Module> seen) {
        if (!seen.add(m)) {
            return;
        }
        out.put(prefix, m);
        for (Map.Entry<String, Module> e : m.children.entrySet()) {
            collectModules(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out, seen);
        }
    }

    /** Returns every parameter of this module and its descendants, each tensor once, in {@link #namedParameters()} order. */
    public List<Tensor> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /**
     * Returns every parameter by dotted name ({@code 0.weight}, {@code encoder.layers.1.linear1.bias}):
     * a module's own parameters first, then its submodules' in registration order; a tensor shared
     * by two modules is listed once, under its first name.
     */
    public Map<String, Tensor> namedParameters() {
        return named(true);
    }

    /** Returns every buffer of this module and its descendants, each once, in {@link #namedBuffers()} order. */
    public List<Tensor> buffers() {
        return new ArrayList<>(namedBuffers().values());
    }

    /** Returns every buffer by dotted name ({@code 1.running_mean}), in the order of {@link #namedParameters()}. */
    public Map<String, Tensor> namedBuffers() {
        return named(false);
    }

    private Map<String, Tensor> named(boolean parameters) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Map.Entry<String, Module> m : namedModules().entrySet()) {
            String prefix = m.getKey().isEmpty() ? "" : m.getKey() + ".";
            for (Map.Entry<String, Tensor> e : (parameters ? m.getValue().params : m.getValue().buffers).entrySet()) {
                if (seen.add(e.getValue())) {
                    out.put(prefix + e.getKey(), e.getValue());
                }
            }
        }
        return out;
    }

    /** Returns the total number of elements in {@link #parameters()}. */
    public long parameterCount() {
        long n = 0;
        for (Tensor p : parameters()) {
            n += p.numel();
        }
        return n;
    }

    /** Calls {@code fn} on every submodule (depth first, children before parents) and then on this; returns this. */
    public Module apply(Consumer<Module> fn) {
        for (Module c : children.values()) {
            c.apply(fn);
        }
        fn.accept(this);
        return this;
    }

    // ---------------------------------------------------------------- submodules by path

    /**
     * Returns the submodule at the dotted {@code path} ({@code "fc"}, {@code "layer1.0.conv1"});
     * the empty path returns this module.
     *
     * @throws IllegalArgumentException naming the first missing name and the names available there
     */
    public Module get(String path) {
        Module m = this;
        if (path.isEmpty()) {
            return m;
        }
        String walked = "";
        for (String name : path.split("\\.", -1)) {
            Module next = m.children.get(name);
            if (next == null) {
                throw new IllegalArgumentException(typeName() + ".get(\"" + path + "\"): no submodule '" + name + "' in "
                        + m.typeName() + (walked.isEmpty() ? "" : " at '" + walked + "'")
                        + "; available: " + m.children.keySet());
            }
            walked = walked.isEmpty() ? name : walked + "." + name;
            m = next;
        }
        return m;
    }

    /**
     * Replaces the existing submodule at the dotted {@code path} with {@code module} (e.g. a new
     * classifier head: {@code model.set("fc", new Linear(512, 3))}); the order of names is kept.
     * Modifies the parent module; returns this.
     *
     * @throws IllegalArgumentException if no submodule exists at the path (naming the available
     *                                  ones) or {@code module} is null
     */
    public Module set(String path, Module module) {
        if (module == null) {
            throw new IllegalArgumentException(typeName() + ".set(\"" + path + "\"): module is null");
        }
        int dot = path.lastIndexOf('.');
        Module parent = dot < 0 ? this : get(path.substring(0, dot));
        String name = path.substring(dot + 1);
        if (!parent.children.containsKey(name)) {
            throw new IllegalArgumentException(typeName() + ".set(\"" + path + "\"): no submodule '" + name + "' in "
                    + parent.typeName() + (dot < 0 ? "" : " at '" + path.substring(0, dot) + "'")
                    + " to replace; available: " + parent.children.keySet());
        }
        parent.children.put(name, module);
        return this;
    }

    // ---------------------------------------------------------------- modes

    /** Puts this module and every descendant in training mode; returns this. */
    public Module train() {
        return train(true);
    }

    /** Puts this module and every descendant in training mode ({@code true}) or eval mode; returns this. */
    public Module train(boolean mode) {
        training = mode;
        for (Module c : children.values()) {
            c.train(mode);
        }
        return this;
    }

    /** Puts this module and every descendant in eval mode (dropout off, running statistics used); returns this. */
    public Module eval() {
        return train(false);
    }

    /** Returns true in training mode (the default), false in eval mode. */
    public boolean isTraining() {
        return training;
    }

    /** Turns {@code requiresGrad} off for every parameter, recursively (e.g. a pretrained backbone); returns this. */
    public Module freeze() {
        return setRequiresGrad(false);
    }

    /** Turns {@code requiresGrad} on for every parameter, recursively; returns this. */
    public Module unfreeze() {
        return setRequiresGrad(true);
    }

    private Module setRequiresGrad(boolean requires) {
        for (Tensor p : parameters()) {
            p.requiresGrad(requires);
        }
        return this;
    }

    /** Clears the gradient of every parameter, recursively; returns this. */
    public Module zeroGrad() {
        for (Tensor p : parameters()) {
            p.zeroGrad();
        }
        return this;
    }

    /**
     * Moves every parameter and buffer (recursively) to {@code device}, replacing the registered
     * tensors by their copies there; parameters keep {@code requiresGrad} and their gradient, and a
     * tensor shared by several modules stays shared. Build optimizers after this call: they hold
     * the old tensors. Returns this.
     */
    public Module to(Device device) {
        Map<Tensor, Tensor> moved = new IdentityHashMap<>();
        for (Module m : modules()) {
            m.params.replaceAll((name, p) -> moved.computeIfAbsent(p, t -> moveParameter(t, device)));
            m.buffers.replaceAll((name, b) -> moved.computeIfAbsent(b,
                    t -> t.device().equals(device) ? t : MemoryScope.persist(t.detach().to(device))));
        }
        return this;
    }

    private static Tensor moveParameter(Tensor p, Device device) {
        if (p.device().equals(device)) {
            return p;
        }
        Tensor q = MemoryScope.persist(p.detach().to(device).requiresGrad(p.requiresGrad()));
        if (p.grad() != null) {
            q.setGrad(p.grad().to(device));
        }
        return q;
    }

    // ---------------------------------------------------------------- state dict

    /**
     * Returns every parameter and buffer by dotted name (a module's parameters, then its buffers,
     * then its submodules'), as detached tensors sharing the module's data: save them, do not
     * modify them. A shared submodule appears under each of its names, as in PyTorch.
     */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : stateTensors().entrySet()) {
            out.put(e.getKey(), e.getValue().detach());
        }
        return out;
    }

    /** The module's own parameter and buffer tensors by state-dict key (not detached). */
    private Map<String, Tensor> stateTensors() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collectState("", out);
        return out;
    }

    private void collectState(String prefix, Map<String, Tensor> out) {
        params.forEach((k, v) -> out.put(prefix + k, v));
        buffers.forEach((k, v) -> out.put(prefix + k, v));
        children.forEach((k, c) -> c.collectState(prefix + k + ".", out));
    }

    /**
     * Strictly loads {@code state}: see {@link #loadStateDict(Map, boolean)}.
     *
     * @throws IllegalArgumentException naming every missing, unexpected and wrongly shaped key
     */
    public LoadResult loadStateDict(Map<String, Tensor> state) {
        return loadStateDict(state, true);
    }

    /**
     * Copies the values of {@code state} into this module's parameters and buffers with the same
     * keys (converted to their dtype and device), modifying those tensors in place, so optimizers
     * that hold them keep working; {@code state} is not modified. Nothing is copied unless every
     * check passes. With {@code strict}, the keys must match exactly; without, missing keys are left
     * as they are and unexpected keys ignored (both are returned). Shapes must match in both modes.
     *
     * <p>As in PyTorch, a state dict without the {@code num_batches_tracked} counter of a {@link
     * BatchNorm} layer (older PyTorch exports, or exports that drop the int64 buffers) still loads
     * strictly: that counter is not reported missing and is set to 0, as PyTorch 1.13 does.
     *
     * @return the missing and unexpected keys (both empty after a strict load)
     * @throws IllegalArgumentException whose message names the first offending key (a size mismatch
     *                                  with both shapes first), then every missing, unexpected (strict
     *                                  only) and wrongly shaped key, the last with both shapes
     */
    public LoadResult loadStateDict(Map<String, Tensor> state, boolean strict) {
        return StateDictLoader.load(typeName(), stateTensors(), state, strict, batchNormCounters());
    }

    /**
     * Returns the state-dict keys of the {@code num_batches_tracked} counters of every {@link
     * BatchNorm} in this module (including itself), which a PyTorch state dict may lack.
     */
    public Set<String> batchNormCounters() {
        Set<String> keys = new java.util.LinkedHashSet<>();
        collectCounters("", keys);
        return keys;
    }

    private void collectCounters(String prefix, Set<String> out) {
        if (this instanceof BatchNorm && buffers.containsKey("num_batches_tracked")) {
            out.add(prefix + "num_batches_tracked");
        }
        children.forEach((k, c) -> c.collectCounters(prefix + k + ".", out));
    }

    // ---------------------------------------------------------------- printing

    /**
     * Returns the text inside this module's parentheses in {@link #toString()}, e.g. {@code in=784,
     * out=128, bias=true} for a {@link Linear}; empty by default.
     */
    protected String extraRepr() {
        return "";
    }

    /** Returns the class's simple name (or its full name for an anonymous class). */
    protected String typeName() {
        String s = getClass().getSimpleName();
        return s.isEmpty() ? getClass().getName() : s;
    }

    /**
     * Returns a nested printout like PyTorch's, one submodule per line, indented:
     * <pre>
     * Sequential(
     *   (0): Linear(in=784, out=128, bias=true)
     *   (1): ReLU()
     * )</pre>
     */
    @Override
    public String toString() {
        String extra = extraRepr();
        if (children.isEmpty()) {
            return typeName() + "(" + extra + ")";
        }
        StringBuilder sb = new StringBuilder(typeName()).append("(\n");
        if (!extra.isEmpty()) {
            sb.append("  ").append(extra.replace("\n", "\n  ")).append('\n');
        }
        for (Map.Entry<String, Module> e : children.entrySet()) {
            sb.append("  (").append(e.getKey()).append("): ")
                    .append(e.getValue().toString().replace("\n", "\n  ")).append('\n');
        }
        return sb.append(')').toString();
    }
}
