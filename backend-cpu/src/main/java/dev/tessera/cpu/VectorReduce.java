package dev.tessera.cpu;

import static jdk.incubator.vector.VectorOperators.ADD;
import static jdk.incubator.vector.VectorOperators.EQ;
import static jdk.incubator.vector.VectorOperators.GT;
import static jdk.incubator.vector.VectorOperators.MAX;
import static jdk.incubator.vector.VectorOperators.NE;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Sums and arg-max/min with the Java Vector API, for {@link ReduceKernels}; loaded only through
 * {@link Simd}. Results follow the scalar code exactly (index of the first maximum, first NaN
 * wins) or, for sums, to float accuracy.
 *
 * <p>NaN lanes are found with {@code v != v}: JDK 17 compiles {@code test(IS_NAN)} through a
 * mask cast from int lanes that is not intrinsified, about 5x slower.
 */
final class VectorReduce {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int LN = S.length();
    /**
     * Elements summed in float (4 vector accumulators, so 16 adds per lane at most) before the
     * block's total joins a double: as accurate as the scalar double sum for any row length.
     */
    private static final int SUM_BLOCK = 1024;
    /** Column arg-max keeps indices as floats, exact below 2^24. */
    static final int MAX_INDEX = 1 << 24;

    private VectorReduce() {
    }

    /** {@code sum(x[base .. base+n))}, in blocks of {@link #SUM_BLOCK} floats added into a double. */
    static double sum(float[] x, int base, int n) {
        double total = 0;
        int i = 0;
        int end4 = n - 4 * LN;
        while (i <= end4) {
            int blockEnd = Math.min(end4, i + SUM_BLOCK - 4 * LN);
            FloatVector s0 = FloatVector.fromArray(S, x, base + i);
            FloatVector s1 = FloatVector.fromArray(S, x, base + i + LN);
            FloatVector s2 = FloatVector.fromArray(S, x, base + i + 2 * LN);
            FloatVector s3 = FloatVector.fromArray(S, x, base + i + 3 * LN);
            for (i += 4 * LN; i <= blockEnd; i += 4 * LN) {
                s0 = s0.add(FloatVector.fromArray(S, x, base + i));
                s1 = s1.add(FloatVector.fromArray(S, x, base + i + LN));
                s2 = s2.add(FloatVector.fromArray(S, x, base + i + 2 * LN));
                s3 = s3.add(FloatVector.fromArray(S, x, base + i + 3 * LN));
            }
            total += s0.add(s1).add(s2.add(s3)).reduceLanes(ADD);
        }
        double tail = 0;
        for (; i < n; i++) {
            tail += x[base + i];
        }
        return total + tail;
    }

    /**
     * Index of the first maximum (or minimum) of {@code x[base .. base+n)}; the first NaN wins, as
     * in the scalar {@code argBest}. Needs {@code LN <= n}.
     *
     * <p>Two passes: the best value with four {@code lanewise(MAX)} accumulators (Math.max: a NaN
     * anywhere makes it NaN), then the first index whose value equals it (or is NaN when it is
     * NaN), which stops early. {@code ==} treats -0 and +0 alike, as the scalar strict comparison
     * does. A single pass that carries values and indices is limited by its compare-blend
     * dependency chain: it ran at 0.45 ns an element, little better than the scalar loop.
     * A minimum is the maximum of {@code -x}: negation is exact and keeps NaN, and multiplying by
     * a sign vector keeps one compiled loop for both (a comparison chosen at run time would not
     * be compiled to a vector instruction).
     */
    static int argBest(float[] x, int base, int n, boolean max) {
        float sign = max ? 1f : -1f;
        FloatVector sgn = FloatVector.broadcast(S, sign);
        int end = S.loopBound(n);
        FloatVector m0 = FloatVector.fromArray(S, x, base).mul(sgn);
        FloatVector m1 = m0;
        FloatVector m2 = m0;
        FloatVector m3 = m0;
        int i = LN;
        for (; i + 4 * LN <= end; i += 4 * LN) {
            m0 = m0.lanewise(MAX, FloatVector.fromArray(S, x, base + i).mul(sgn));
            m1 = m1.lanewise(MAX, FloatVector.fromArray(S, x, base + i + LN).mul(sgn));
            m2 = m2.lanewise(MAX, FloatVector.fromArray(S, x, base + i + 2 * LN).mul(sgn));
            m3 = m3.lanewise(MAX, FloatVector.fromArray(S, x, base + i + 3 * LN).mul(sgn));
        }
        for (; i < end; i += LN) {
            m0 = m0.lanewise(MAX, FloatVector.fromArray(S, x, base + i).mul(sgn));
        }
        FloatVector m = m0.lanewise(MAX, m1).lanewise(MAX, m2.lanewise(MAX, m3));
        float best = m.compare(NE, m).anyTrue() ? Float.NaN : m.reduceLanes(MAX);
        for (; i < n; i++) {
            best = Math.max(best, sign * x[base + i]);
        }
        // With best not NaN the row holds no NaN, so "v != v" only fires when looking for the first NaN.
        FloatVector bv = FloatVector.broadcast(S, best);
        for (int j = 0; j < end; j += LN) {
            FloatVector v = FloatVector.fromArray(S, x, base + j).mul(sgn);
            VectorMask<Float> hit = v.compare(EQ, bv).or(v.compare(NE, v));
            if (hit.anyTrue()) {
                return j + hit.firstTrue();
            }
        }
        for (int j = end; j < n; j++) {
            float v = sign * x[base + j];
            if (v == best || v != v) {
                return j;
            }
        }
        throw new IllegalStateException("argBest: maximum not found again"); // unreachable
    }

    /**
     * {@code acc[c - c0] += x[base + j*inner + c]} for rows {@code j < rows}, columns
     * {@code c0 <= c < c1}: the same float additions in the same order as the scalar loop, with
     * a tile of four vectors of columns held in registers over all the rows.
     */
    static void addRows(float[] x, int base, int rows, int inner, int c0, int c1, float[] acc) {
        int c = c0;
        for (; c + 4 * LN <= c1; c += 4 * LN) {
            int a = c - c0;
            FloatVector s0 = FloatVector.fromArray(S, acc, a);
            FloatVector s1 = FloatVector.fromArray(S, acc, a + LN);
            FloatVector s2 = FloatVector.fromArray(S, acc, a + 2 * LN);
            FloatVector s3 = FloatVector.fromArray(S, acc, a + 3 * LN);
            for (int j = 0, p = base + c; j < rows; j++, p += inner) {
                s0 = s0.add(FloatVector.fromArray(S, x, p));
                s1 = s1.add(FloatVector.fromArray(S, x, p + LN));
                s2 = s2.add(FloatVector.fromArray(S, x, p + 2 * LN));
                s3 = s3.add(FloatVector.fromArray(S, x, p + 3 * LN));
            }
            s0.intoArray(acc, a);
            s1.intoArray(acc, a + LN);
            s2.intoArray(acc, a + 2 * LN);
            s3.intoArray(acc, a + 3 * LN);
        }
        for (; c + LN <= c1; c += LN) {
            FloatVector s = FloatVector.fromArray(S, acc, c - c0);
            for (int j = 0, p = base + c; j < rows; j++, p += inner) {
                s = s.add(FloatVector.fromArray(S, x, p));
            }
            s.intoArray(acc, c - c0);
        }
        for (; c < c1; c++) {
            float s = acc[c - c0];
            for (int j = 0, p = base + c; j < rows; j++, p += inner) {
                s += x[p];
            }
            acc[c - c0] = s;
        }
    }

    /**
     * Arg-max (or, with {@code sign = -1}, arg-min; see {@link #argBest}) down each column
     * {@code x[base + j*inner + c]}, {@code j < n}, for columns from {@code c0} in whole vectors:
     * writes {@code bestIdx[c - c0]} (as a float, {@code n < MAX_INDEX}) and returns how many
     * columns it did; the caller finishes the rest. The rule is the scalar argBest's: a strictly
     * greater value, or the first NaN, replaces the best. Tiles of two vectors of columns keep
     * their best values and indices in registers over all the rows (two independent
     * compare-blend chains); the loads are contiguous within a row.
     */
    static int argBestColumns(float[] x, int base, int n, int inner, int c0, int c1, float sign, float[] bestIdx) {
        FloatVector sgn = FloatVector.broadcast(S, sign);
        FloatVector step = FloatVector.broadcast(S, 1f);
        int c = c0;
        for (; c + 2 * LN <= c1; c += 2 * LN) {
            FloatVector b0 = FloatVector.fromArray(S, x, base + c).mul(sgn);
            FloatVector b1 = FloatVector.fromArray(S, x, base + c + LN).mul(sgn);
            FloatVector i0 = FloatVector.zero(S);
            FloatVector i1 = i0;
            FloatVector jv = i0;
            for (int j = 1, p = base + inner + c; j < n; j++, p += inner) {
                jv = jv.add(step);
                FloatVector v0 = FloatVector.fromArray(S, x, p).mul(sgn);
                FloatVector v1 = FloatVector.fromArray(S, x, p + LN).mul(sgn);
                VectorMask<Float> m0 = v0.compare(GT, b0).or(v0.compare(NE, v0).andNot(b0.compare(NE, b0)));
                VectorMask<Float> m1 = v1.compare(GT, b1).or(v1.compare(NE, v1).andNot(b1.compare(NE, b1)));
                b0 = b0.blend(v0, m0);
                b1 = b1.blend(v1, m1);
                i0 = i0.blend(jv, m0);
                i1 = i1.blend(jv, m1);
            }
            i0.intoArray(bestIdx, c - c0);
            i1.intoArray(bestIdx, c - c0 + LN);
        }
        for (; c + LN <= c1; c += LN) {
            FloatVector b0 = FloatVector.fromArray(S, x, base + c).mul(sgn);
            FloatVector i0 = FloatVector.zero(S);
            FloatVector jv = i0;
            for (int j = 1, p = base + inner + c; j < n; j++, p += inner) {
                jv = jv.add(step);
                FloatVector v0 = FloatVector.fromArray(S, x, p).mul(sgn);
                VectorMask<Float> m0 = v0.compare(GT, b0).or(v0.compare(NE, v0).andNot(b0.compare(NE, b0)));
                b0 = b0.blend(v0, m0);
                i0 = i0.blend(jv, m0);
            }
            i0.intoArray(bestIdx, c - c0);
        }
        return c - c0;
    }
}
