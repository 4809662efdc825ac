package dev.tessera.cpu;

import dev.tessera.spi.AdamSpec;
import dev.tessera.spi.SgdSpec;

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

    /**
     * SGD over contiguous arrays of length {@code n} starting at the given offsets ({@code buf} null
     * without momentum); see {@link SgdSpec}. Each term is rounded as the SPI's composed default rounds
     * it (no fused multiply-add), so both give the same bits. The common cases (no momentum, or
     * momentum without Nesterov and weight decay after the first step) run on vectors.
     */
    static void sgd(float[] p, int po, float[] g, int go, float[] buf, int bo, int n, SgdSpec s) {
        float lrStep = -s.lr();
        float wd = s.weightDecay();
        float mom = s.momentum();
        float keep = 1f - s.dampening();
        boolean plainMomentum = buf != null && !s.firstStep() && !s.nesterov() && wd == 0f;
        // The scalar loop rounds as the vector one does; it serves until the JIT has compiled that.
        boolean vector = Simd.ENABLED && VectorWarmUp.optimCompiled();
        CpuPool.parallelFor(n, GRAIN, (start, end) -> {
            if (buf == null && wd == 0f && vector) {
                VectorOptim.addScaled(p, po, g, go, lrStep, start, end);
            } else if (plainMomentum && vector) {
                VectorOptim.sgdMomentum(p, po, g, go, buf, bo, mom, keep, lrStep, start, end);
            } else {
                sgdAnyCase(p, po, g, go, buf, bo, start, end, s);
            }
        });
    }

    /** {@link #sgd} for elements {@code [start, end)}, any spec. */
    private static void sgdAnyCase(float[] p, int po, float[] g, int go, float[] buf, int bo, int start, int end,
                                   SgdSpec s) {
        float lrStep = -s.lr();
        float wd = s.weightDecay();
        float mom = s.momentum();
        float keep = 1f - s.dampening();
        for (int i = start; i < end; i++) {
            float d = wd != 0f ? g[go + i] + p[po + i] * wd : g[go + i];
            if (buf != null) {
                float b = s.firstStep() ? d : buf[bo + i] * mom + keep * d;
                buf[bo + i] = b;
                d = s.nesterov() ? d + b * mom : b;
            }
            p[po + i] = p[po + i] + lrStep * d;
        }
    }
}
