package dev.tessera.cpu;

import static jdk.incubator.vector.VectorOperators.GE;
import static jdk.incubator.vector.VectorOperators.L2F;
import static jdk.incubator.vector.VectorOperators.LSHR;
import static jdk.incubator.vector.VectorOperators.XOR;

import dev.tessera.spi.SplitMix;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link SplitMix#uniform} for many consecutive indices at once with the Java Vector API: the same
 * 64-bit integer steps per lane, so the floats are bit for bit those of the scalar loop. Loaded
 * only through {@link Simd}.
 */
final class VectorRandom {
    private static final VectorSpecies<Long> L = LongVector.SPECIES_PREFERRED;
    private static final int LN = L.length();
    /** Floats with as many lanes as {@link #L}: the converted numbers. */
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED.withShape(
            jdk.incubator.vector.VectorShape.forBitSize(L.vectorBitSize() / 2));
    /** {@code l * GAMMA} for lane l: the counters of consecutive indices. */
    private static final long[] LANE_STEPS = laneSteps();
    /**
     * Only with 512-bit vectors (8 longs): AVX-512 has the 64-bit lane multiply; narrower x86
     * vectors would emulate it, slower than the scalar loop.
     */
    private static final boolean WIDE = LN >= 8 && F.length() == LN;
    private static final long M1 = 0xBF58476D1CE4E5B9L;
    private static final long M2 = 0x94D049BB133111EBL;

    private VectorRandom() {
    }

    private static long[] laneSteps() {
        long[] s = new long[LN];
        for (int l = 0; l < LN; l++) {
            s[l] = l * SplitMix.GAMMA;
        }
        return s;
    }

    /** {@code out[o + i] = SplitMix.uniform(state, i) >= p ? keep : 0} for {@code start <= i < end}. */
    static void dropoutMask(float[] out, int o, int start, int end, long state, float p, float keep) {
        int i = start;
        if (end - start >= LN && WIDE) {
            LongVector z = LongVector.fromArray(L, LANE_STEPS, 0).add(state + (start + 1L) * SplitMix.GAMMA);
            long step = LN * SplitMix.GAMMA;
            FloatVector zero = FloatVector.zero(F);
            FloatVector kept = FloatVector.broadcast(F, keep);
            for (; i + LN <= end; i += LN) {
                FloatVector u = uniform(z);
                zero.blend(kept, u.compare(GE, p)).intoArray(out, o + i);
                z = z.add(step);
            }
        }
        for (; i < end; i++) {
            out[o + i] = SplitMix.uniform(state, i) >= p ? keep : 0f;
        }
    }

    /** The uniform floats of the counters {@code z}: SplitMix64's mix, top 24 bits, times 2^-24. */
    private static FloatVector uniform(LongVector z) {
        LongVector x = z.lanewise(XOR, z.lanewise(LSHR, 30)).mul(M1);
        x = x.lanewise(XOR, x.lanewise(LSHR, 27)).mul(M2);
        x = x.lanewise(XOR, x.lanewise(LSHR, 31)).lanewise(LSHR, 40);
        return ((FloatVector) x.convertShape(L2F, F, 0)).mul(0x1.0p-24f);
    }

    /**
     * {@code out[o + i] = low + range * SplitMix.uniform(state, i)} for {@code start <= i < end}
     * (a multiply, then an add: no fused multiply-add, as in the scalar loop).
     */
    static void uniform(float[] out, int o, int start, int end, long state, float low, float range) {
        int i = start;
        if (end - start >= LN && WIDE) {
            LongVector z = LongVector.fromArray(L, LANE_STEPS, 0).add(state + (start + 1L) * SplitMix.GAMMA);
            long step = LN * SplitMix.GAMMA;
            for (; i + LN <= end; i += LN) {
                uniform(z).mul(range).add(low).intoArray(out, o + i);
                z = z.add(step);
            }
        }
        for (; i < end; i++) {
            out[o + i] = low + range * SplitMix.uniform(state, i);
        }
    }
}
