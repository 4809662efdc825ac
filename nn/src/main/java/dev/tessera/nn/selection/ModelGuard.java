package dev.tessera.nn.selection;

import dev.tessera.nn.Module;
import dev.tessera.nn.Stochastic;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Remembers (weakly) every module, parameter, buffer and dropout generator of the models a factory
 * built, and refuses a new model that reuses any of them: its weights would leak from one fold into
 * another. A reused object is still strongly reachable from the new model, so weak references
 * lose nothing while letting finished folds' models be collected. Thread-safe.
 *
 * <p>Not detected: distinct tensor objects over the same storage (a {@code detach()} of an earlier
 * parameter), since core offers no public way to compare storages.
 */
final class ModelGuard {
    private record Seen(WeakReference<Object> ref, String owner) {
    }

    /** One object of a model and how to name it in a message. */
    private record Part(Object object, String description) {
    }

    private final Map<Integer, List<Seen>> seen = new HashMap<>();

    /**
     * Checks that {@code model} shares no state with a model registered earlier, then registers it
     * as built for {@code owner} (e.g. "fold 3").
     *
     * @throws IllegalStateException naming the shared object and the earlier owner
     */
    synchronized void register(Module model, String owner) {
        if (model == null) {
            throw new IllegalStateException("CrossValidation: the model factory returned null for " + owner);
        }
        List<Part> parts = parts(model);
        for (Part p : parts) {
            String earlier = find(p.object());
            if (earlier != null) {
                throw new IllegalStateException("CrossValidation: the model factory returned, for " + owner + ", a model whose "
                        + p.description() + " is shared with the model built for " + earlier + ". Every call must build a"
                        + " new model with new layers and tensors (create them inside the factory), or weights leak"
                        + " between folds.");
            }
        }
        for (Part p : parts) {
            seen.computeIfAbsent(System.identityHashCode(p.object()), h -> new ArrayList<>())
                    .add(new Seen(new WeakReference<>(p.object()), owner));
        }
    }

    /**
     * Returns the model's modules (itself first), parameters, buffers and generators, each once by
     * identity, so a message names the outermost shared object.
     */
    private static List<Part> parts(Module model) {
        List<Part> parts = new ArrayList<>();
        Set<Object> once = Collections.newSetFromMap(new IdentityHashMap<>());
        model.namedModules().forEach((name, m) -> {
            String type = " (a " + m.getClass().getSimpleName() + ")";
            add(parts, once, m, name.isEmpty() ? "the model itself" + type : "submodule '" + name + "'" + type);
        });
        model.namedParameters().forEach((name, t) -> add(parts, once, t, "parameter '" + name + "'"));
        model.namedBuffers().forEach((name, t) -> add(parts, once, t, "buffer '" + name + "'"));
        model.namedModules().forEach((name, m) -> {
            if (m instanceof Stochastic s && s.generator() != null) {
                add(parts, once, s.generator(), "the random generator of '" + (name.isEmpty() ? "the model" : name) + "'");
            }
        });
        return parts;
    }

    private static void add(List<Part> parts, Set<Object> once, Object o, String description) {
        if (once.add(o)) {
            parts.add(new Part(o, description));
        }
    }

    private String find(Object o) {
        List<Seen> bucket = seen.get(System.identityHashCode(o));
        if (bucket == null) {
            return null;
        }
        bucket.removeIf(s -> s.ref().get() == null);
        for (Seen s : bucket) {
            if (s.ref().get() == o) {
                return s.owner();
            }
        }
        return null;
    }
}
