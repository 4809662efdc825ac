package dev.tessera.nn.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.Generator;
import dev.tessera.Tensor;
import dev.tessera.nn.Linear;
import dev.tessera.nn.Module;
import dev.tessera.nn.Sequential;
import dev.tessera.nn.Tanh;
import dev.tessera.nn.data.Datasets;
import dev.tessera.nn.data.TensorDataset;
import java.util.Arrays;
import java.util.Map;

/** Small data and models shared by the training tests: the bundled digits, scaled to [0, 1]. */
final class TrainingData {
    private TrainingData() {
    }

    /** The first {@code n} digits (64 features in [0, 1], 10 classes), with feature 0 of each example in {@code nanAt} set to NaN. */
    static TensorDataset digits(int n, int... nanAt) {
        TensorDataset all = Datasets.digits();
        float[] x = Arrays.copyOf(all.features().toFloatArray(), n * 64);
        for (int i = 0; i < x.length; i++) {
            x[i] /= 16f;
        }
        for (int i : nanAt) {
            x[i * 64] = Float.NaN;
        }
        int[] y = Arrays.copyOf(all.targets().toIntArray(), n);
        return new TensorDataset(Tensor.of(x, n, 64), Tensor.ofInts(y, n), all.classNames());
    }

    /** Examples {@code from} (inclusive) to {@code to} (exclusive) of {@code data}. */
    static TensorDataset range(TensorDataset data, int from, int to) {
        return new TensorDataset(data.features().slice(0, from, to).contiguous(), data.targets().slice(0, from, to).contiguous(),
                data.classNames());
    }

    /** {@code a} followed by {@code b}. */
    static TensorDataset concat(TensorDataset a, TensorDataset b) {
        return new TensorDataset(Tensor.cat(java.util.List.of(a.features(), b.features()), 0),
                Tensor.cat(java.util.List.of(a.targets(), b.targets()), 0), a.classNames());
    }

    /** A 64-32-10 perceptron with a tanh hidden layer, initialised from {@code seed}. */
    static Sequential tanhMlp(long seed) {
        Generator g = new Generator(seed);
        return new Sequential(new Linear(64, 32, true, g), new Tanh(), new Linear(32, 10, true, g));
    }

    static void assertSameWeights(Module expected, Module actual) {
        assertSameWeights(expected.stateDict(), actual.stateDict());
    }

    static void assertSameWeights(Map<String, Tensor> expected, Map<String, Tensor> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        for (String k : expected.keySet()) {
            assertArrayEquals(expected.get(k).toFloatArray(), actual.get(k).toFloatArray(), "bit-identical " + k);
        }
    }

    static void assertFinite(String what, Map<String, Tensor> tensors) {
        tensors.forEach((k, t) -> {
            for (float v : t.toFloatArray()) {
                assertTrue(Float.isFinite(v), what + ": " + k + " holds " + v);
            }
        });
    }
}
