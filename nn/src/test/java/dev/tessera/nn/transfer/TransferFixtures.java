package dev.tessera.nn.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.tessera.Generator;
import dev.tessera.Tensor;
import dev.tessera.nn.BatchNorm1d;
import dev.tessera.nn.Linear;
import dev.tessera.nn.Module;
import dev.tessera.nn.ReLU;
import dev.tessera.nn.Sequential;
import dev.tessera.nn.data.TensorDataset;
import java.util.LinkedHashMap;
import java.util.Map;

/** Small models and data shared by the transfer-learning tests. */
final class TransferFixtures {
    private TransferFixtures() {
    }

    /**
     * A four-block MLP: {@code 0} = Linear(8, 16), {@code 1} = BatchNorm1d(16), {@code 2} = ReLU,
     * {@code 3} = Linear(16, 12), {@code 4} = ReLU, {@code 5} = Linear(12, classes): blocks 0, 1, 3, 5.
     */
    static Sequential mlp(int classes, long seed) {
        Generator g = new Generator(seed);
        return new Sequential(new Linear(8, 16, true, g), new BatchNorm1d(16), new ReLU(), new Linear(16, 12, true, g),
                new ReLU(), new Linear(12, classes, true, g));
    }

    /** {@code n} examples of 8 features with labels 0..classes-1 that depend on the features. */
    static TensorDataset data(int n, int classes, long seed) {
        Generator g = new Generator(seed);
        Tensor x = Tensor.randn(g, n, 8);
        float[] xs = x.toFloatArray();
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            double s = xs[i * 8] + 0.5 * xs[i * 8 + 1] - xs[i * 8 + 2];
            y[i] = Math.floorMod((int) Math.floor(s * 1.5), classes);
        }
        return new TensorDataset(x, Tensor.ofInts(y, n));
    }

    /** A deep copy of every parameter and buffer's values by state-dict key. */
    static Map<String, float[]> snapshot(Module m) {
        Map<String, float[]> out = new LinkedHashMap<>();
        m.stateDict().forEach((k, v) -> out.put(k, v.dtype() == dev.tessera.DType.INT32 ? intsAsFloats(v) : v.toFloatArray()));
        return out;
    }

    private static float[] intsAsFloats(Tensor v) {
        int[] ints = v.toIntArray();
        float[] f = new float[ints.length];
        for (int i = 0; i < ints.length; i++) {
            f[i] = ints[i];
        }
        return f;
    }

    /** Asserts that two tensors hold the same bits. */
    static void assertBitIdentical(float[] expected, float[] actual, String what) {
        int[] a = new int[expected.length];
        int[] b = new int[actual.length];
        for (int i = 0; i < a.length; i++) {
            a[i] = Float.floatToRawIntBits(expected[i]);
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = Float.floatToRawIntBits(actual[i]);
        }
        assertArrayEquals(a, b, what + " changed");
    }
}
