package dev.tessera.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The two loops of the depthwise convolution kernels ({@link DepthwiseConv}) with the Java Vector
 * API: {@code y += a * x} and the dot product, over unit-stride runs. (The plain loops were not
 * vectorised by the JIT in that context.) Only referred to when the Vector API is available.
 */
final class VectorAxpy {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int LN = S.length();

    private VectorAxpy() {
    }

    /** {@code y[yo + i] += a * x[xo + i]} for {@code i < n}; modifies {@code y}. */
    static void axpy(float a, float[] x, int xo, float[] y, int yo, int n) {
        FloatVector av = FloatVector.broadcast(S, a);
        int i = 0;
        int full = n - LN;
        for (; i <= full; i += LN) {
            FloatVector.fromArray(S, x, xo + i).fma(av, FloatVector.fromArray(S, y, yo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] += a * x[xo + i];
        }
    }

    /** Returns {@code sum of x[xo + i] * y[yo + i]} for {@code i < n}. */
    static float dot(float[] x, int xo, float[] y, int yo, int n) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        int full = n - LN;
        for (; i <= full; i += LN) {
            acc = FloatVector.fromArray(S, x, xo + i).fma(FloatVector.fromArray(S, y, yo + i), acc);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += x[xo + i] * y[yo + i];
        }
        return sum;
    }
}
