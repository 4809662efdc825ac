package dev.tessera.nn.models;

import dev.tessera.Tensor;
import dev.tessera.nn.Module;

/**
 * A chain of modules under names chosen by the caller, like PyTorch's {@code
 * nn.Sequential(OrderedDict(...))}: torchvision names the blocks of its vision transformer {@code
 * encoder_layer_0}, ... and its head {@code head}, and the state-dict keys follow those names.
 */
final class NamedSequential extends Module {
    /** Creates an empty chain. */
    NamedSequential() {
    }

    /** Appends {@code module} under {@code name}; modifies and returns this. */
    NamedSequential add(String name, Module module) {
        registerModule(name, module);
        return this;
    }

    /** Returns {@code input} passed through every module in order; does not modify it. */
    @Override
    public Tensor forward(Tensor input) {
        Tensor x = input;
        for (Module m : children()) {
            x = m.forward(x);
        }
        return x;
    }
}
