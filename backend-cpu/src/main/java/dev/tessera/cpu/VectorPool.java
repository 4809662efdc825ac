package dev.tessera.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Max pooling with the Java Vector API: a plane's outputs are taken a vector at a time; each
 * window tap is gathered through a table of every output's top-left input position, and value and
 * index are chosen with vector compares and blends (the later element wins when strictly greater
 * or NaN: PyTorch's CPU rule, so ties go to the first maximum and NaN propagates). 2x2 windows
 * with stride 2 and no padding read the plane directly; other windows read a copy of the plane
 * padded with -infinity. {@link PoolKernels} computes the last partial vector, and re-computes any
 * window whose maximum is -infinity (where a padded tap could have been picked), the scalar way.
 *
 * <p>Only {@link PoolKernels} refers to this class, and only when the Vector API is available.
 */
final class VectorPool {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    /** Floats per vector. */
    static final int LN = S.length();

    private VectorPool() {
    }

    /** The top-left input position {@code 2*oy*w + 2*ox} of each output of an {@code outH x outW} plane. */
    static int[] corners(int outH, int outW, int w) {
        int[] map = new int[outH * outW];
        for (int t = 0; t < map.length; t++) {
            map[t] = 2 * (t / outW) * w + 2 * (t % outW);
        }
        return map;
    }

    /**
     * Writes the first {@code map.length / LN * LN} outputs of one plane ({@code xs[xp]}, width
     * {@code w}): maxima to {@code os[op + t]} and their in-plane positions to {@code is[ip + t]};
     * returns how many it wrote.
     */
    static int maxPlane2x2(float[] xs, int xp, int w, int[] map, float[] os, int op, int[] is, int ip) {
        int full = I.length() == LN ? map.length / LN * LN : 0;
        for (int t = 0; t < full; t += LN) {
            IntVector i0 = IntVector.fromArray(I, map, t);
            FloatVector v0 = FloatVector.fromArray(S, xs, xp, map, t);
            FloatVector v1 = FloatVector.fromArray(S, xs, xp + 1, map, t);
            FloatVector v2 = FloatVector.fromArray(S, xs, xp + w, map, t);
            FloatVector v3 = FloatVector.fromArray(S, xs, xp + w + 1, map, t);
            VectorMask<Float> m01 = wins(v1, v0);
            FloatVector a = v0.blend(v1, m01);
            IntVector ia = i0.blend(i0.add(1), m01.cast(I));
            VectorMask<Float> m23 = wins(v3, v2);
            FloatVector b = v2.blend(v3, m23);
            IntVector ib = i0.add(w).blend(i0.add(w + 1), m23.cast(I));
            VectorMask<Float> mab = wins(b, a);
            a.blend(b, mab).intoArray(os, op + t);
            ia.blend(ib, mab.cast(I)).intoArray(is, ip + t);
        }
        return full;
    }

    /**
     * Lanes where {@code later} replaces {@code earlier}: strictly greater, or NaN ({@code x != x};
     * three times faster on JDK 17 than the {@code IS_NAN} test, which is not intrinsified).
     */
    private static VectorMask<Float> wins(FloatVector later, FloatVector earlier) {
        return later.compare(VectorOperators.GT, earlier).or(later.compare(VectorOperators.NE, later));
    }

    /** The pooling tables of a sliding window: top-left corners (padded and unpadded) and tap offsets (padded and unpadded). */
    record Taps(int[] cornerP, int[] cornerU, int[] offP, int[] offU, int hp, int wp) {
        static Taps of(dev.tessera.spi.Pool2dSpec s) {
            int hp = s.height() + 2 * s.padH();
            int wp = s.width() + 2 * s.padW();
            int ow = s.outW();
            int l = s.outH() * ow;
            int[] cp = new int[l];
            int[] cu = new int[l];
            for (int o = 0; o < l; o++) {
                int y = (o / ow) * s.strideH();
                int x = (o % ow) * s.strideW();
                cp[o] = y * wp + x;
                cu[o] = (y - s.padH()) * s.width() + x - s.padW();
            }
            int kk = s.kernelH() * s.kernelW();
            int[] op = new int[kk];
            int[] ou = new int[kk];
            for (int q = 0; q < kk; q++) {
                op[q] = (q / s.kernelW()) * wp + q % s.kernelW();
                ou[q] = (q / s.kernelW()) * s.width() + q % s.kernelW();
            }
            return new Taps(cp, cu, op, ou, hp, wp);
        }

        /** Copies plane {@code xs[xp]} ({@code h x w}) into {@code pp} padded with -infinity. */
        void pad(float[] xs, int xp, int h, int w, float[] pp) {
            int ph = (hp - h) / 2;
            int pw = (wp - w) / 2;
            java.util.Arrays.fill(pp, 0, ph * wp + pw, Float.NEGATIVE_INFINITY);
            for (int y = 0; y < h; y++) {
                int row = (y + ph) * wp + pw;
                System.arraycopy(xs, xp + y * w, pp, row, w);
                java.util.Arrays.fill(pp, row + w, Math.min(hp * wp, row + w + 2 * pw), Float.NEGATIVE_INFINITY);
            }
            // The bottom padding rows; without height padding the loop above has already reached the end.
            java.util.Arrays.fill(pp, Math.min((h + ph) * wp + pw, hp * wp), hp * wp, Float.NEGATIVE_INFINITY);
        }
    }

    /**
     * Writes the first {@code cornerP.length / LN * LN} outputs of one padded plane {@code pp}:
     * maxima to {@code os[op + t]}, their positions in the unpadded plane to {@code is[ip + t]};
     * returns how many it wrote.
     */
    static int maxPlane(float[] pp, Taps taps, float[] os, int op, int[] is, int ip) {
        int[] cornerP = taps.cornerP();
        int[] offP = taps.offP();
        int[] offU = taps.offU();
        int full = I.length() == LN ? cornerP.length / LN * LN : 0;
        for (int t = 0; t < full; t += LN) {
            IntVector cu = IntVector.fromArray(I, taps.cornerU(), t);
            FloatVector best = FloatVector.fromArray(S, pp, offP[0], cornerP, t);
            IntVector at = cu.add(offU[0]);
            for (int q = 1; q < offP.length; q++) {
                FloatVector v = FloatVector.fromArray(S, pp, offP[q], cornerP, t);
                VectorMask<Float> m = wins(v, best);
                best = best.blend(v, m);
                at = at.blend(cu.add(offU[q]), m.cast(I));
            }
            best.intoArray(os, op + t);
            at.intoArray(is, ip + t);
        }
        return full;
    }
}
