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
 * <p>Tensors are compared by storage too, so a {@code detach()} or a view of an earlier parameter
 * is caught as well.
 */
final class ModelGuard {
    private record Seen(WeakReference<Object> ref, String owner) {
    }

    /** One object of a model and how to name it in a message. */
    private record Part(Object object, String description) {
    }

    private final Map<Integer, List<Seen>> seen = new HashMap<>();
    /** Every tensor registered so far, weakly, to compare storages (views share storage, not identity). */
    private final List<Seen> tensors = new ArrayList<>();

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
            Seen s = new Seen(new WeakReference<>(p.object()), owner);
            seen.computeIfAbsent(System.identityHashCode(p.object()), h -> new ArrayList<>()).add(s);
            if (p.object() instanceof dev.tessera.Tensor) {
                tensors.add(s);
            }
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
        if (o instanceof dev.tessera.Tensor t) {
            tensors.removeIf(s -> s.ref().get() == null);
            for (Seen s : tensors) {
                if (s.ref().get() instanceof dev.tessera.Tensor earlier && earlier.sharesStorage(t)) {
                    return s.owner();
                }
            }
        }
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
