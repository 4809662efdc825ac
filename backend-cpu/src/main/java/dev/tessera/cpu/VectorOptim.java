package dev.tessera.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SGD loops of {@link OptimKernels} and the backend's {@code axpy} with the Java Vector API (the
 * plain loops were not vectorised by the JIT). Each term is a separate multiply and add, never a fused
 * multiply-add, so the lanes round exactly as the scalar tail does. Only referred to when the Vector
 * API is available.
 */
final class VectorOptim {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int LN = S.length();

    private VectorOptim() {
    }

    /**
     * {@code p[i] = p[i] + step * g[i]} for {@code i} in {@code [start, end)} (plain SGD, and the
     * backend's {@code axpy}); modifies {@code p}.
     */
    static void addScaled(float[] p, int po, float[] g, int go, float step, int start, int end) {
        int i = start;
        for (; i <= end - LN; i += LN) {
            FloatVector d = FloatVector.fromArray(S, g, go + i).mul(step);
            FloatVector.fromArray(S, p, po + i).add(d).intoArray(p, po + i);
        }
        for (; i < end; i++) {
            p[po + i] = p[po + i] + step * g[go + i];
        }
    }

    /**
     * {@code b = mom * buf[i] + keep * g[i]; buf[i] = b; p[i] = p[i] + step * b} for {@code i} in
     * {@code [start, end)}; modifies {@code p} and {@code buf}.
     */
    static void sgdMomentum(float[] p, int po, float[] g, int go, float[] buf, int bo, float mom, float keep,
                            float step, int start, int end) {
        int i = start;
        for (; i <= end - LN; i += LN) {
            FloatVector b = FloatVector.fromArray(S, buf, bo + i).mul(mom)
                    .add(FloatVector.fromArray(S, g, go + i).mul(keep));
            b.intoArray(buf, bo + i);
            FloatVector.fromArray(S, p, po + i).add(b.mul(step)).intoArray(p, po + i);
        }
        for (; i < end; i++) {
            float b = buf[bo + i] * mom + keep * g[go + i];
            buf[bo + i] = b;
            p[po + i] = p[po + i] + step * b;
        }
    }
}
