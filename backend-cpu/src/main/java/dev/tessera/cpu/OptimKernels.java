package dev.tessera.cpu;

import dev.tessera.spi.AdamSpec;

/** Fused optimizer updates: one pass over the parameter and its state instead of one pass per formula term. */
final class OptimKernels {
    private static final int GRAIN = 1 << 16;

    private OptimKernels() {
    }

    /** Adam/AdamW over contiguous arrays of length {@code n} starting at the given offsets; see {@link AdamSpec}. */
    static void adam(float[] p, int po, float[] g, int go, float[] m, int mo, float[] v, int vo, int n, AdamSpec s) {
        float decay = s.decoupled() ? 1f - s.lr() * s.weightDecay() : 1f;
        float l2 = s.decoupled() ? 0f : s.weightDecay();
        float b1 = s.beta1();
        float b2 = s.beta2();
        float c1 = 1f - b1;
        float c2 = 1f - b2;
        float invBias2 = 1f / s.bias2Sqrt();
        float eps = s.eps();
        float step = -s.lr() / s.bias1();
        CpuPool.parallelFor(n, GRAIN, (start, end) -> {
            for (int i = start; i < end; i++) {
                float w = p[po + i] * decay;
                float d = g[go + i] + l2 * w;
                float mi = b1 * m[mo + i] + c1 * d;
                float vi = b2 * v[vo + i] + c2 * (d * d);
                m[mo + i] = mi;
                v[vo + i] = vi;
                p[po + i] = w + step * (mi / ((float) Math.sqrt(vi) * invBias2 + eps));
            }
        });
    }
}
