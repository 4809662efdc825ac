package dev.tessera.nn.models;

import dev.tessera.Tensor;
import dev.tessera.nn.Module;

/**
 * Deterministic weights from a formula that {@code src/test/resources/golden/golden_models.py}
 * implements too, so PyTorch can compute reference outputs for the same model without any weight
 * file: {@code u(key, i)} is an exact float in [-0.5, 0.5) drawn from SplitMix64 seeded by the
 * state-dict key and the element index (row-major). See the script's docstring for the rules.
 */
final class GoldenWeights {
    private GoldenWeights() {
    }

    /** Returns {@code u(key, 0..n-1)}. */
    static double[] uniform(String key, int n) {
        long seed = seed(key);
        double[] u = new double[n];
        for (int i = 0; i < n; i++) {
            u[i] = u(seed, i);
        }
        return u;
    }

    private static long seed(String key) {
        long seed = 1125899906842597L;
        for (int c = 0; c < key.length(); c++) {
            seed = 31 * seed + key.charAt(c);
        }
        return seed;
    }

    /** {@code u(key, i)} for the key's {@link #seed}. */
    private static double u(long seed, int i) {
        long z = seed + (i + 1L) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return (z >>> 40) * 0x1.0p-24 - 0.5;
    }

    /** Returns a new tensor of {@code shape} with the formula's values for the entry {@code key} ("input" for inputs). */
    static Tensor value(String key, int... shape) {
        int n = 1;
        for (int s : shape) {
            n *= s;
        }
        long seed = seed(key);
        float[] v = new float[n]; // element by element: VGG's 100M-element weight needs no double[] copy
        for (int i = 0; i < n; i++) {
            double u = u(seed, i);
            double x;
            if (key.equals("input")) {
                x = 2.0 * u;
            } else if (key.endsWith("running_var")) {
                x = 1.0 + u;
            } else if (key.endsWith("running_mean")) {
                x = 0.2 * u;
            } else if (shape.length >= 2) {
                x = u * Math.sqrt(24.0 / (n / shape[0]));
            } else if (key.endsWith("weight")) {
                x = 1.0 + 0.4 * u;
            } else {
                x = 0.2 * u;
            }
            v[i] = (float) x;
        }
        return Tensor.of(v, shape);
    }

    /**
     * Loads the formula's values into every parameter and buffer of {@code model} (but {@code
     * num_batches_tracked}), one tensor at a time, in place; returns it in eval mode.
     */
    static <M extends Module> M fill(M model) {
        try (var ng = Tensor.noGrad()) {
            model.stateDict().forEach((k, t) -> {
                if (!k.endsWith("num_batches_tracked")) {
                    t.copyFrom(value(k, t.shape()));
                }
            });
        }
        model.eval();
        return model;
    }
}
