package dev.tessera.nn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tessera.Generator;
import dev.tessera.MemoryScope;
import dev.tessera.Tensor;
import dev.tessera.nn.BatchNorm1d;
import dev.tessera.nn.F;
import dev.tessera.nn.Linear;
import dev.tessera.nn.Module;
import dev.tessera.nn.ReLU;
import dev.tessera.nn.Sequential;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Training inside per-step memory scopes gives the same bits as without: parameters, gradients,
 * buffers and optimizer state (created lazily inside the first scope) survive every scope.
 */
class MemoryScopeTrainingTest {

    private static Sequential mlp() {
        Generator g = new Generator(11);
        return new Sequential(new Linear(6, 16, true, g), new BatchNorm1d(16), new ReLU(), new Linear(16, 3, true, g));
    }

    private static Optimizer optimizer(String name, Module model) {
        return switch (name) {
            case "sgd" -> new SGD(model.parameters(), 0.05f, 0.9f);
            case "adam" -> new Adam(model.parameters(), 1e-2f);
            case "rmsprop" -> new RMSprop(model.parameters(), 1e-3f);
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** Trains 50 steps, each wrapped by {@code wrap}; returns every parameter, buffer and loss, flattened. */
    private static List<float[]> train(String opt, boolean scoped) {
        Sequential model = mlp();
        Optimizer o = optimizer(opt, model);
        Tensor x = Tensor.randn(new Generator(5), 32, 6);
        int[] labels = new Generator(6).permutation(32);
        for (int i = 0; i < labels.length; i++) {
            labels[i] %= 3;
        }
        Tensor y = Tensor.ofInts(labels);
        List<float[]> out = new ArrayList<>();
        Function<Integer, Float> step = i -> {
            o.zeroGrad();
            Tensor loss = F.crossEntropy(model.forward(x), y);
            loss.backward();
            o.step();
            return loss.item();
        };
        float[] losses = new float[50];
        for (int i = 0; i < 50; i++) {
            if (scoped) {
                try (MemoryScope scope = MemoryScope.open()) {
                    losses[i] = step.apply(i);
                }
            } else {
                losses[i] = step.apply(i);
            }
        }
        out.add(losses);
        model.stateDict().values().forEach(t -> out.add(t.toFloatArray()));
        o.stateDict().tensors().values().forEach(t -> out.add(t.toFloatArray()));
        for (Tensor p : model.parameters()) {
            out.add(p.grad().toFloatArray());
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"sgd", "adam", "rmsprop"})
    void fiftyStepsInScopesAreBitIdenticalToNoScopes(String opt) {
        List<float[]> plain = train(opt, false);
        List<float[]> scoped = train(opt, true);
        assertEquals(plain.size(), scoped.size());
        for (int i = 0; i < plain.size(); i++) {
            assertArrayEquals(plain.get(i), scoped.get(i), opt + ": array " + i);
        }
    }
}
