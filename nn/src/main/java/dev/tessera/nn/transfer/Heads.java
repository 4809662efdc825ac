package dev.tessera.nn.transfer;

import dev.tessera.Generator;
import dev.tessera.nn.Dropout;
import dev.tessera.nn.Identity;
import dev.tessera.nn.Linear;
import dev.tessera.nn.Module;
import dev.tessera.nn.ReLU;
import dev.tessera.nn.Sequential;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Replaces a model's classifier head (its last layer, or a named submodule) with a new one for the
 * new task, keeping the rest of the model, and builds new heads.
 *
 * <pre>{@code
 * ResNet model = ResNet.resnet18(1000);
 * Pretrained.load(model, Path.of("resnet18.safetensors"), LoadOptions.defaults());
 * Heads.replaceClassifier(model, "fc", 3, new Generator(7));   // Linear(512, 3), 512 found from the old head
 * Module backbone = Heads.remove(model, "fc");                 // or: a feature extractor (fc -> Identity)
 * }</pre>
 */
public final class Heads {
    private Heads() {
    }

    /**
     * Replaces the submodule at the dotted {@code path} of {@code model} with {@code newHead} (via
     * {@link Module#set}); modifies {@code model} and returns the old submodule. The new head is
     * used as given: move it to the model's device first, and build the optimizer afterwards.
     *
     * @throws IllegalArgumentException if there is no submodule at {@code path} (naming the ones
     *                                  available) or {@code newHead} is null
     */
    public static Module replace(Module model, String path, Module newHead) {
        requirePath(path);
        Module old = model.get(path);
        model.set(path, newHead);
        return old;
    }

    /**
     * Replaces the last module of {@code sequential} with {@code newLayer}; modifies the chain and
     * returns the old last module.
     *
     * @throws IllegalArgumentException if the chain is empty or {@code newLayer} is null
     */
    public static Module replaceLast(Sequential sequential, Module newLayer) {
        if (sequential.size() == 0) {
            throw new IllegalArgumentException("Heads.replaceLast: the Sequential is empty; there is no last layer to replace");
        }
        return replace(sequential, String.valueOf(sequential.size() - 1), newLayer);
    }

    /**
     * Replaces the submodule at {@code path} with a new {@link Linear} from the old head's input
     * features (see {@link #inFeatures}) to {@code numClasses}, initialised from {@code g}
     * (advanced); modifies {@code model} and returns the new head.
     *
     * @throws IllegalArgumentException if there is no submodule at {@code path}, it holds no {@link
     *                                  Linear}, or {@code numClasses} is not positive
     */
    public static Linear replaceClassifier(Module model, String path, int numClasses, Generator g) {
        if (numClasses < 1) {
            throw new IllegalArgumentException("Heads.replaceClassifier: numClasses must be positive, got " + numClasses);
        }
        Linear head = new Linear(inFeatures(model, path), numClasses, true, g);
        replace(model, path, head);
        return head;
    }

    /**
     * Replaces the submodule at {@code path} with an {@link Identity}, so that {@code model} outputs
     * the features the head received; modifies {@code model} and returns it.
     *
     * @throws IllegalArgumentException if there is no submodule at {@code path}
     */
    public static Module remove(Module model, String path) {
        replace(model, path, new Identity());
        return model;
    }

    /**
     * Returns the number of input features of the head at {@code path}: the {@code in} of the
     * submodule if it is a {@link Linear}, else of the first {@link Linear} inside it (the layer
     * that receives the features). Modifies nothing.
     *
     * @throws IllegalArgumentException if there is no submodule at {@code path} or it holds no Linear
     */
    public static int inFeatures(Module model, String path) {
        requirePath(path);
        Module head = model.get(path);
        for (Module m : head.modules()) {
            if (m instanceof Linear l) {
                return l.inFeatures();
            }
        }
        throw new IllegalArgumentException("Heads.inFeatures: the submodule '" + path + "' (" + head.getClass().getSimpleName()
                + ") holds no Linear layer whose input size could be read; pass the size explicitly");
    }

    /**
     * Returns the dotted path of the last {@link Linear} in {@code model} (depth first, registration
     * order), e.g. {@code "fc"} for a ResNet, {@code "2"} for {@code Sequential(Linear, ReLU,
     * Linear)}: usually the classifier head. Modifies nothing.
     *
     * @throws IllegalArgumentException if the model holds no Linear, or only itself is one
     */
    public static String lastLinearPath(Module model) {
        String found = null;
        for (Map.Entry<String, Module> e : model.namedModules().entrySet()) {
            if (e.getValue() instanceof Linear && !e.getKey().isEmpty()) {
                found = e.getKey();
            }
        }
        if (found == null) {
            throw new IllegalArgumentException("Heads.lastLinearPath: " + model.getClass().getSimpleName()
                    + " holds no Linear submodule; name the head's path explicitly");
        }
        return found;
    }

    /**
     * Returns a new linear head {@code in -> numClasses} (multinomial logistic regression when
     * trained with cross-entropy), initialised from {@code g} (advanced).
     *
     * @throws IllegalArgumentException if a size is not positive
     */
    public static Linear linear(int in, int numClasses, Generator g) {
        return new Linear(in, numClasses, true, g);
    }

    /**
     * Returns a new MLP head {@code in -> hidden[0] -> ReLU -> ... -> numClasses}, with dropout
     * {@code dropout} after each hidden layer when positive, initialised from {@code g} (advanced).
     *
     * @throws IllegalArgumentException if a size is not positive or {@code dropout} is outside [0, 1)
     */
    public static Sequential mlp(int in, int[] hidden, int numClasses, double dropout, Generator g) {
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("Heads.mlp: dropout must be in [0, 1), got " + dropout);
        }
        List<Module> layers = new ArrayList<>();
        int width = in;
        for (int h : hidden) {
            layers.add(new Linear(width, h, true, g));
            layers.add(new ReLU());
            if (dropout > 0) {
                layers.add(new Dropout(dropout, new Generator(g.nextLong())));
            }
            width = h;
        }
        layers.add(new Linear(width, numClasses, true, g));
        return new Sequential(layers.toArray(new Module[0]));
    }

    private static void requirePath(String path) {
        if (path == null || path.isEmpty()) {
            throw new IllegalArgumentException("Heads: the head's path must name a submodule, got "
                    + (path == null ? "null" : "''"));
        }
    }
}
