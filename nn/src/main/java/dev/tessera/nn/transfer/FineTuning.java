package dev.tessera.nn.transfer;

import dev.tessera.Tensor;
import dev.tessera.nn.Module;
import dev.tessera.nn.optim.ParamGroup;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Full and partial fine-tuning: freezing and unfreezing parameters by name pattern, up to a named
 * layer or by top-level block, and optimizer parameter groups with discriminative learning rates.
 *
 * <p>Freezing turns a parameter's {@code requiresGrad} off: it gets no gradient, so an optimizer
 * leaves it unchanged, and {@link #trainableParameters} leaves it out of the optimizer. Names and
 * patterns are those of {@link Module#namedParameters()}, matched as {@link NamePattern}s (globs
 * such as {@code layer4} or {@code *.bn?}, or {@code re:} regular expressions).
 *
 * <pre>{@code
 * FineTuning.freezeUpTo(model, "layer3");                  // conv1, bn1, layer1..layer3 frozen
 * var groups = FineTuning.paramGroups(model, Map.of("fc", 1e-3f, "**", 1e-4f));  // head 10x the backbone
 * Optimizer opt = new Adam(groups, new Adam.Options());
 * trainer = Trainer.builder(model, opt, F::crossEntropy).callbacks(new FrozenBatchNormEval(model)).build();
 * }</pre>
 *
 * Every method modifies at most the {@code requiresGrad} flags of the model's parameters.
 */
public final class FineTuning {
    private FineTuning() {
    }

    /**
     * Freezes every parameter matched by one of {@code patterns}; modifies their {@code
     * requiresGrad} and returns their names.
     *
     * @throws IllegalArgumentException if a pattern matches no parameter (naming it and the top-level blocks)
     */
    public static List<String> freeze(Module model, String... patterns) {
        return setByPattern(model, false, "freeze", patterns);
    }

    /**
     * Unfreezes every parameter matched by one of {@code patterns}; modifies their {@code
     * requiresGrad} and returns their names.
     *
     * @throws IllegalArgumentException if a pattern matches no parameter (naming it and the top-level blocks)
     */
    public static List<String> unfreeze(Module model, String... patterns) {
        return setByPattern(model, true, "unfreeze", patterns);
    }

    /**
     * Freezes every parameter, then unfreezes those matched by {@code patterns} (e.g. the head);
     * modifies the flags and returns the names left trainable.
     *
     * @throws IllegalArgumentException if a pattern matches no parameter
     */
    public static List<String> freezeAllExcept(Module model, String... patterns) {
        model.freeze();
        return unfreeze(model, patterns);
    }

    /**
     * Freezes every parameter of the submodule at the dotted {@code path} and of every module
     * before it in registration order (depth first), e.g. {@code "layer3"} freezes {@code conv1},
     * {@code bn1}, {@code layer1}, {@code layer2} and {@code layer3} of a ResNet; later parameters
     * are not changed. Modifies the flags and returns the frozen names.
     *
     * @throws IllegalArgumentException if there is no submodule at {@code path} (naming the ones available)
     */
    public static List<String> freezeUpTo(Module model, String path) {
        if (path == null || path.isEmpty()) {
            throw new IllegalArgumentException("FineTuning.freezeUpTo: path must name a submodule, got "
                    + (path == null ? "null" : "''"));
        }
        model.get(path);
        List<String> modules = new ArrayList<>(model.namedModules().keySet());
        int end = -1;
        for (int i = 0; i < modules.size(); i++) {
            String name = modules.get(i);
            if (name.equals(path) || name.startsWith(path + ".")) {
                end = i;
            }
        }
        Set<String> upTo = Set.copyOf(modules.subList(0, end + 1));
        List<String> frozen = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : model.namedParameters().entrySet()) {
            if (upTo.contains(owner(e.getKey()))) {
                e.getValue().requiresGrad(false);
                frozen.add(e.getKey());
            }
        }
        return frozen;
    }

    /** The name of the module owning the parameter {@code name} (its name up to the last dot). */
    private static String owner(String name) {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(0, dot);
    }

    /**
     * Returns the names of {@code model}'s direct submodules that hold parameters, in registration
     * order: the blocks that {@link #unfreezeTop} and {@link GradualUnfreezing} count (e.g. {@code
     * conv1, bn1, layer1, ..., layer4, fc} for a ResNet). Modifies nothing.
     */
    public static List<String> blocks(Module model) {
        return blocks(model, "");
    }

    /**
     * Returns the dotted names of the direct submodules of the submodule at {@code container} that
     * hold parameters (e.g. {@code features.0, features.3} for a VGG's {@code features}); the
     * empty path means the model itself. Modifies nothing.
     *
     * @throws IllegalArgumentException if there is no submodule at {@code container}
     */
    public static List<String> blocks(Module model, String container) {
        Module parent = model.get(container);
        String prefix = container.isEmpty() ? "" : container + ".";
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Module> e : parent.namedChildren().entrySet()) {
            if (!e.getValue().parameters().isEmpty()) {
                out.add(prefix + e.getKey());
            }
        }
        return out;
    }

    /**
     * Unfreezes the last {@code n} {@link #blocks} of {@code model} (others are not changed);
     * modifies the flags and returns the names unfrozen.
     *
     * @throws IllegalArgumentException if {@code n} is negative or larger than the number of blocks
     */
    public static List<String> unfreezeTop(Module model, int n) {
        return unfreezeTop(model, "", n);
    }

    /**
     * Unfreezes the last {@code n} blocks of the container at {@code container} (see {@link
     * #blocks(Module, String)}); modifies the flags and returns the names unfrozen.
     *
     * @throws IllegalArgumentException if there is no such container, or {@code n} is negative or
     *                                  larger than its number of blocks
     */
    public static List<String> unfreezeTop(Module model, String container, int n) {
        List<String> blocks = blocks(model, container);
        if (n < 0 || n > blocks.size()) {
            throw new IllegalArgumentException("FineTuning.unfreezeTop: n must be in [0, " + blocks.size() + "] (the blocks "
                    + blocks + "), got " + n);
        }
        List<String> top = blocks.subList(blocks.size() - n, blocks.size());
        return top.isEmpty() ? List.of() : unfreeze(model, top.toArray(new String[0]));
    }

    /**
     * Freezes every parameter, then unfreezes the last {@code n} blocks: partial fine-tuning of the
     * top of the network. Modifies the flags and returns the names left trainable.
     *
     * @throws IllegalArgumentException if {@code n} is negative or larger than the number of blocks
     */
    public static List<String> trainOnlyTop(Module model, int n) {
        List<String> blocks = blocks(model);
        if (n < 0 || n > blocks.size()) {
            throw new IllegalArgumentException("FineTuning.trainOnlyTop: n must be in [0, " + blocks.size() + "] (the blocks "
                    + blocks + "), got " + n);
        }
        model.freeze();
        return unfreezeTop(model, n);
    }

    /** Returns the parameters whose {@code requiresGrad} is on, in {@link Module#namedParameters()} order: what to give an optimizer. */
    public static List<Tensor> trainableParameters(Module model) {
        return new ArrayList<>(trainableNamedParameters(model).values());
    }

    /** Returns the trainable parameters by name, in {@link Module#namedParameters()} order (a new map). */
    public static Map<String, Tensor> trainableNamedParameters(Module model) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        model.namedParameters().forEach((k, v) -> {
            if (v.requiresGrad()) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** Returns the names of the frozen parameters, in {@link Module#namedParameters()} order. */
    public static List<String> frozenNames(Module model) {
        List<String> out = new ArrayList<>();
        model.namedParameters().forEach((k, v) -> {
            if (!v.requiresGrad()) {
                out.add(k);
            }
        });
        return out;
    }

    /**
     * Returns optimizer parameter groups with discriminative learning rates: each trainable
     * parameter goes to the group of the first pattern (in the map's iteration order: use a {@link
     * LinkedHashMap} or {@code Map.of} with disjoint patterns) that matches its name, with that
     * pattern's learning rate; a catch-all {@code "**"} last takes the rest. Frozen parameters are
     * left out, and so are patterns that catch no trainable parameter. Modifies nothing.
     *
     * <pre>{@code
     * var lrs = new LinkedHashMap<String, Float>();
     * lrs.put("fc", 1e-3f); lrs.put("layer4", 3e-4f); lrs.put("**", 1e-4f);
     * Optimizer opt = new Adam(FineTuning.paramGroups(model, lrs), new Adam.Options());
     * }</pre>
     *
     * @throws IllegalArgumentException if a learning rate is negative or NaN, a pattern is invalid,
     *                                  a trainable parameter matches no pattern (naming them), or
     *                                  nothing is trainable
     */
    public static List<ParamGroup> paramGroups(Module model, Map<String, Float> lrByPattern) {
        Map<NamePattern, List<Tensor>> members = new LinkedHashMap<>();
        Map<NamePattern, Float> lrs = new LinkedHashMap<>();
        for (Map.Entry<String, Float> e : lrByPattern.entrySet()) {
            Float lr = e.getValue();
            if (lr == null || !(lr >= 0)) {
                throw new IllegalArgumentException("FineTuning.paramGroups: the learning rate of '" + e.getKey()
                        + "' must be >= 0, got " + lr);
            }
            NamePattern p = NamePattern.of(e.getKey());
            members.put(p, new ArrayList<>());
            lrs.put(p, lr);
        }
        List<String> unmatched = new ArrayList<>();
        Map<String, Tensor> trainable = trainableNamedParameters(model);
        for (Map.Entry<String, Tensor> e : trainable.entrySet()) {
            NamePattern hit = members.keySet().stream().filter(p -> p.matches(e.getKey())).findFirst().orElse(null);
            if (hit == null) {
                unmatched.add(e.getKey());
            } else {
                members.get(hit).add(e.getValue());
            }
        }
        if (!unmatched.isEmpty()) {
            throw new IllegalArgumentException("FineTuning.paramGroups: trainable parameters " + unmatched
                    + " match none of the patterns " + lrByPattern.keySet() + "; add a catch-all \"**\"");
        }
        if (trainable.isEmpty()) {
            throw new IllegalArgumentException("FineTuning.paramGroups: " + model.getClass().getSimpleName()
                    + " has no trainable parameter (all " + model.namedParameters().size() + " are frozen)");
        }
        List<ParamGroup> groups = new ArrayList<>();
        members.forEach((p, params) -> {
            if (!params.isEmpty()) {
                groups.add(new ParamGroup(params, lrs.get(p)));
            }
        });
        return groups;
    }

    /**
     * Returns one parameter group per {@link #blocks block} holding trainable parameters, with
     * layer-wise decaying learning rates: the last block gets {@code topLr}, the one before {@code
     * topLr * decay}, then {@code topLr * decay^2}, ... (ULMFiT's discriminative fine-tuning);
     * trainable parameters of the model itself (outside every block) join the lowest group.
     * Modifies nothing.
     *
     * @throws IllegalArgumentException if {@code topLr} is negative, {@code decay} is not in (0, 1],
     *                                  or nothing is trainable
     */
    public static List<ParamGroup> layerwiseLr(Module model, float topLr, float decay) {
        if (!(topLr >= 0) || !(decay > 0 && decay <= 1)) {
            throw new IllegalArgumentException("FineTuning.layerwiseLr: needs topLr >= 0 and decay in (0, 1], got topLr=" + topLr
                    + ", decay=" + decay);
        }
        List<String> blocks = blocks(model);
        LinkedHashMap<String, Float> lrs = new LinkedHashMap<>();
        float lr = topLr;
        for (int i = blocks.size() - 1; i >= 0; i--) {
            lrs.put(blocks.get(i), lr);
            lr *= decay;
        }
        lrs.put("re:[^.]*", lr / decay);
        List<ParamGroup> groups = paramGroups(model, lrs);
        Collections.reverse(groups);
        return groups;
    }

    private static List<String> setByPattern(Module model, boolean requires, String op, String... patterns) {
        if (patterns.length == 0) {
            throw new IllegalArgumentException("FineTuning." + op + ": give at least one pattern");
        }
        Map<String, Tensor> named = model.namedParameters();
        Set<Tensor> done = Collections.newSetFromMap(new IdentityHashMap<>());
        List<String> changed = new ArrayList<>();
        for (String s : patterns) {
            NamePattern p = NamePattern.of(s);
            boolean any = false;
            for (Map.Entry<String, Tensor> e : named.entrySet()) {
                if (p.matches(e.getKey())) {
                    any = true;
                    e.getValue().requiresGrad(requires);
                    if (done.add(e.getValue())) {
                        changed.add(e.getKey());
                    }
                }
            }
            if (!any) {
                throw new IllegalArgumentException("FineTuning." + op + ": pattern '" + s + "' matches no parameter of "
                        + model.getClass().getSimpleName() + "; its blocks are " + blocks(model));
            }
        }
        return changed;
    }
}
