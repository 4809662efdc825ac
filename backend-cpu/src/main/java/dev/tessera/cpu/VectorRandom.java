package dev.tessera.cpu;

import dev.tessera.spi.SplitMix;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Dropout masks from {@link SplitMix#uniform}, sixteen consecutive indices at once with the Java
 * Vector API: the 64-bit mixing runs on two vectors of eight longs, whose 24-bit results convert
 * exactly to floats, so every lane is the scalar function's float, bit for bit. Only used with
 * 512-bit vectors, whose 64-bit lane multiply (AVX-512DQ) the JIT compiles to one instruction; only
 * referred to when the Vector API is available.
 *
 * <p>The floats use the preferred species, like every other kernel, on purpose: a second float
 * species in the process (eight floats in a 256-bit vector, say) makes the Vector API's shared
 * methods see two vector classes, and the JIT then compiled the GEMM kernels with boxed vectors,
 * five times slower.
 */
final class VectorRandom {
    private static final VectorSpecies<Long> L = LongVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** Longs per vector: the floats of one long vector fill half a float vector. */
    private static final int LN = L.length();
    /** Floats drawn per step. */
    private static final int STEP = 2 * LN;
    /** {@code lane * GAMMA} for each lane. */
    private static final LongVector LANE_STEPS = LongVector.zero(L).addIndex(1).mul(SplitMix.GAMMA);
    /** The upper half of a float vector, which the second long vector fills. */
    private static final VectorMask<Float> UPPER = F.indexInRange(-LN, LN);

    private VectorRandom() {
    }

    /** Whether the vector path runs on this CPU: 512-bit vectors of sixteen floats. */
    static boolean usable() {
        return L.vectorBitSize() >= 512 && F.length() == STEP;
    }

    /** {@code mix(state + (i + 1 + j) GAMMA) >>> 40} for each lane {@code j}. */
    private static LongVector bits(long state, int i) {
        LongVector z = LANE_STEPS.add(state + (i + 1L) * SplitMix.GAMMA);
        z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 30)).mul(0xBF58476D1CE4E5B9L);
        z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 27)).mul(0x94D049BB133111EBL);
        return z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 31)).lanewise(VectorOperators.LSHR, 40);
    }

    /** The uniform floats of indices {@code i .. i+15} of a draw starting at {@code state}. */
    private static FloatVector uniform16(long state, int i) {
        FloatVector lo = (FloatVector) bits(state, i).convertShape(VectorOperators.L2F, F, 0);
        FloatVector hi = (FloatVector) bits(state, i + LN).convertShape(VectorOperators.L2F, F, -1);
        return lo.blend(hi, UPPER).mul(0x1.0p-24f);
    }

    /** {@code out[o + i] = uniform(state, i) >= p ? keep : 0} for {@code i} in {@code [start, end)}. */
    static void dropoutMask(float[] out, int o, int start, int end, long state, float p, float keep) {
        FloatVector kept = FloatVector.broadcast(F, keep);
        FloatVector dropped = FloatVector.zero(F);
        int i = start;
        for (; i <= end - STEP; i += STEP) {
            dropped.blend(kept, uniform16(state, i).compare(VectorOperators.GE, p)).intoArray(out, o + i);
        }
        for (; i < end; i++) {
            out[o + i] = SplitMix.uniform(state, i) >= p ? keep : 0f;
        }
    }

    /** {@code out[oo + i] = x[xo + i] * (uniform(state, i) >= p ? keep : 0)} for {@code i} in {@code [start, end)}. */
    static void dropout(float[] x, int xo, float[] out, int oo, int start, int end, long state, float p, float keep) {
        FloatVector kept = FloatVector.broadcast(F, keep);
        FloatVector dropped = FloatVector.zero(F);
        int i = start;
        for (; i <= end - STEP; i += STEP) {
            FloatVector mask = dropped.blend(kept, uniform16(state, i).compare(VectorOperators.GE, p));
            FloatVector.fromArray(F, x, xo + i).mul(mask).intoArray(out, oo + i);
        }
        for (; i < end; i++) {
            out[oo + i] = x[xo + i] * (SplitMix.uniform(state, i) >= p ? keep : 0f);
        }
    }
}
