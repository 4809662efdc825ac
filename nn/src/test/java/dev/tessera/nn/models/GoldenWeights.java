package dev.tessera.nn.models;

import dev.tessera.Tensor;
import dev.tessera.nn.Module;
import java.util.LinkedHashMap;
import java.util.Map;

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
        long seed = 1125899906842597L;
        for (int c = 0; c < key.length(); c++) {
            seed = 31 * seed + key.charAt(c);
        }
        double[] u = new double[n];
        for (int i = 0; i < n; i++) {
            long z = seed + (i + 1L) * 0x9E3779B97F4A7C15L;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            z = z ^ (z >>> 31);
            u[i] = (z >>> 40) * 0x1.0p-24 - 0.5;
        }
        return u;
    }

    /** Returns a new tensor of {@code shape} with the formula's values for the entry {@code key} ("input" for inputs). */
    static Tensor value(String key, int... shape) {
        int n = 1;
        for (int s : shape) {
            n *= s;
        }
        double[] u = uniform(key, n);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            double x;
            if (key.equals("input")) {
                x = 2.0 * u[i];
            } else if (key.endsWith("running_var")) {
                x = 1.0 + u[i];
            } else if (key.endsWith("running_mean")) {
                x = 0.2 * u[i];
            } else if (shape.length >= 2) {
                x = u[i] * Math.sqrt(24.0 / (n / shape[0]));
            } else if (key.endsWith("weight")) {
                x = 1.0 + 0.4 * u[i];
            } else {
                x = 0.2 * u[i];
            }
            v[i] = (float) x;
        }
        return Tensor.of(v, shape);
    }

    /** Loads the formula's values into every parameter and buffer of {@code model} (but {@code num_batches_tracked}); returns it in eval mode. */
    static <M extends Module> M fill(M model) {
        Map<String, Tensor> state = new LinkedHashMap<>();
        model.stateDict().forEach((k, t) -> state.put(k, k.endsWith("num_batches_tracked") ? t : value(k, t.shape())));
        model.loadStateDict(state);
        model.eval();
        return model;
    }
}
