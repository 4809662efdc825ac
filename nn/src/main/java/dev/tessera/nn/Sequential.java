package dev.tessera.nn;

import dev.tessera.Tensor;
import java.util.Iterator;
import java.util.List;

/**
 * A chain of modules applied one after another; the children are named {@code "0"}, {@code "1"},
 * ... in the order given, so parameters are named {@code 0.weight}, {@code 2.bias} as in PyTorch.
 */
public class Sequential extends Module implements Iterable<Module> {
    /**
     * Creates a chain of {@code modules}, named {@code "0"}, {@code "1"}, ...
     *
     * @throws IllegalArgumentException if a module is null
     */
    public Sequential(Module... modules) {
        for (Module m : modules) {
            add(m);
        }
    }

    /**
     * Appends {@code module} under the name {@code String.valueOf(size())}; modifies and returns this.
     *
     * @throws IllegalArgumentException if the module is null
     */
    public Sequential add(Module module) {
        registerModule(String.valueOf(size()), module);
        return this;
    }

    /** Returns the number of modules in the chain. */
    public int size() {
        return namedChildren().size();
    }

    /**
     * Returns the module at {@code index} (negative counts from the end).
     *
     * @throws IllegalArgumentException if the index is out of range
     */
    public Module get(int index) {
        List<Module> list = children();
        int i = index < 0 ? index + list.size() : index;
        if (i < 0 || i >= list.size()) {
            throw new IllegalArgumentException("Sequential.get: index " + index + " is out of range for " + list.size()
                    + " modules");
        }
        return list.get(i);
    }

    /**
     * Returns {@code input} passed through every module in order; does not modify it. A module
     * followed by a {@link ReLU} (that class exactly) runs as {@link F#reluAfter}: a {@link Linear}
     * or {@link Conv2d} then writes the rectifier over its own output, the same values and
     * gradients with one array fewer per step.
     */
    @Override
    public Tensor forward(Tensor input) {
        Tensor x = input;
        List<Module> modules = children();
        for (int i = 0; i < modules.size(); i++) {
            Module m = modules.get(i);
            if (i + 1 < modules.size() && modules.get(i + 1).getClass() == ReLU.class) {
                x = F.reluAfter(m, x);
                i++;
            } else {
                x = m.forward(x);
            }
        }
        return x;
    }

    /** Returns an iterator over the modules in order (a snapshot). */
    @Override
    public Iterator<Module> iterator() {
        return children().iterator();
    }
}
