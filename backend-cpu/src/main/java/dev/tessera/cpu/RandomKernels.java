package dev.tessera.cpu;

import dev.tessera.spi.SplitMix;

/** Random numbers drawn in parallel: each element is a pure function of (state, index), so the split does not matter. */
final class RandomKernels {
    private static final int GRAIN = 1 << 15;
    /** Whether dropout masks are drawn on vectors (sixteen at a time, the same bits as the scalar loop). */
    private static final boolean VECTOR = Simd.ENABLED && VectorRandom.usable();

    private RandomKernels() {
    }

    /** {@code out[o + i] = SplitMix.uniform(state, i) >= p ? keep : 0} for {@code i < n}. */
    static void dropoutMask(float[] out, int o, int n, long state, float p, float keep) {
        CpuPool.parallelFor(n, GRAIN, (start, end) -> dropoutMask(out, o, start, end, state, p, keep));
    }

    /** {@code out[o + i] = SplitMix.uniform(state, i) >= p ? keep : 0} for {@code i} in {@code [start, end)}, on this thread. */
    static void dropoutMask(float[] out, int o, int start, int end, long state, float p, float keep) {
        if (VECTOR) {
            VectorRandom.dropoutMask(out, o, start, end, state, p, keep);
            return;
        }
        for (int i = start; i < end; i++) {
            out[o + i] = SplitMix.uniform(state, i) >= p ? keep : 0f;
        }
    }

    /** {@code out[oo + i] = x[xo + i] * (SplitMix.uniform(state, i) >= p ? keep : 0)} for {@code i < n}; out may be x. */
    static void dropout(float[] x, int xo, float[] out, int oo, int n, long state, float p, float keep) {
        CpuPool.parallelFor(n, GRAIN, (start, end) -> {
            if (VECTOR) {
                VectorRandom.dropout(x, xo, out, oo, start, end, state, p, keep);
                return;
            }
            for (int i = start; i < end; i++) {
                out[oo + i] = x[xo + i] * (SplitMix.uniform(state, i) >= p ? keep : 0f);
            }
        });
    }

    /** {@code out[o + i] = low + (high - low) * SplitMix.uniform(state, i)} for {@code i < n}. */
    static void uniform(float[] out, int o, int n, long state, float low, float high) {
        float range = high - low;
        // Scalar on purpose: uniform fills are mostly one-off (initial weights, synthetic data) and
        // run in a JVM's first seconds, where vector code not yet compiled by the JIT runs boxed,
        // ten times slower than this loop; dropout masks, drawn every training step, use vectors.
        CpuPool.parallelFor(n, GRAIN, (start, end) -> {
            for (int i = start; i < end; i++) {
                out[o + i] = low + range * SplitMix.uniform(state, i);
            }
        });
    }
}
