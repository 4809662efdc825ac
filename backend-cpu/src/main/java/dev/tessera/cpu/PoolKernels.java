package dev.tessera.cpu;

import dev.tessera.spi.Pool2dSpec;
import dev.tessera.spi.View;

/**
 * The CPU backend's pooling kernels: direct loops over each window, clipped to the input, with the
 * {@code N*C} planes spread over the pool (each task owns whole planes, so the backward scatters
 * without races). Max pooling follows PyTorch's CPU kernel: an element replaces the maximum when
 * strictly greater or NaN (so the first maximum wins ties and NaN propagates), and padding never wins; 2x2 windows with stride 2 use {@link VectorPool} when the Vector API is
 * available. All views are contiguous (core passes them so).
 */
final class PoolKernels {
    private PoolKernels() {
    }

    private static int grain(Pool2dSpec s) {
        long perPlane = (long) s.outH() * s.outW() * Math.max(1, s.kernelH() * s.kernelW());
        return (int) Math.max(1, (1 << 14) / Math.max(1, perPlane));
    }

    /** Row/column window bounds, clipped: {@code [lo[i], hi[i])} for output index i. */
    private static int[][] bounds(Pool2dSpec s, boolean rows) {
        int n = rows ? s.outH() : s.outW();
        int limit = rows ? s.height() : s.width();
        int[][] b = new int[2][n];
        for (int i = 0; i < n; i++) {
            b[0][i] = Math.max(0, rows ? s.startH(i) : s.startW(i));
            b[1][i] = Math.min(limit, rows ? s.endH(i) : s.endW(i));
        }
        return b;
    }

    static void maxPool2d(View x, Pool2dSpec s, View out, View indices) {
        float[] xs = CpuStorage.floats(x.storage());
        float[] os = CpuStorage.floats(out.storage());
        int[] is = CpuStorage.ints(indices.storage());
        int hw = s.height() * s.width();
        int l = s.outH() * s.outW();
        // The fast paths read whole windows; a ceil-mode window reaching past the padding takes the general loop.
        boolean inside = s.windowsInsidePadding();
        boolean twoByTwo = inside && !s.adaptive() && s.kernelH() == 2 && s.kernelW() == 2 && s.strideH() == 2 && s.strideW() == 2
                && s.padH() == 0 && s.padW() == 0;
        int[] corners = twoByTwo && ConvGemm.VECTOR ? VectorPool.corners(s.outH(), s.outW(), s.width()) : null;
        VectorPool.Taps taps = inside && !twoByTwo && ConvGemm.VECTOR ? VectorPool.Taps.of(s) : null;
        CpuPool.parallelFor(s.batch() * s.channels(), grain(s), (from, to) -> {
            float[] pp = taps == null ? null : new float[taps.hp() * taps.wp()];
            for (int p = from; p < to; p++) {
                if (taps != null) {
                    int xp = x.offset() + p * hw;
                    taps.pad(xs, xp, s.height(), s.width(), pp);
                    int done = VectorPool.maxPlane(pp, taps, os, out.offset() + p * l, is, indices.offset() + p * l);
                    maxFixUp(xs, xp, s, done, os, is, out.offset() + p * l, indices.offset() + p * l);
                } else if (corners != null) {
                    int xp = x.offset() + p * hw;
                    int done = VectorPool.maxPlane2x2(xs, xp, s.width(), corners, os, out.offset() + p * l, is,
                            indices.offset() + p * l);
                    maxTail2x2(xs, xp, s.width(), corners, done, os, is, out.offset() + p * l, indices.offset() + p * l);
                } else if (twoByTwo) {
                    maxPlane2x2(xs, x.offset() + p * hw, s, os, is, out.offset() + p * l, indices.offset() + p * l);
                } else {
                    maxPlane(xs, x.offset() + p * hw, s, os, is, out.offset() + p * l, indices.offset() + p * l);
                }
            }
        });
    }

    /**
     * An int that orders floats as {@code <} does: -0 and +0 map to the same key, and NaN (any
     * NaN, canonicalised) above +infinity. Comparing keys with integer arithmetic avoids a branch
     * per element, which on real data is mispredicted half the time.
     */
    private static int key(float v) {
        int bits = Float.floatToIntBits(v + 0f);
        return bits ^ ((bits >> 31) & 0x7fffffff);
    }

    /** 1 when {@code k > best}, else 0, without a branch. */
    private static int greater(int k, int best) {
        return (int) (((long) best - k) >>> 63);
    }

    /**
     * -1 (all bits) when the element of key {@code k} replaces the current maximum of key {@code
     * best}: strictly greater, or NaN (PyTorch's CPU rule {@code val > max || isnan(val)}), else 0.
     */
    private static int replaces(int k, int best) {
        // NaN keys are above the key of +infinity (0x7f800000).
        return -(greater(k, best) | greater(k, 0x7f800000));
    }

    /**
     * One plane, any sliding window: PyTorch's rule (see {@link #replaces}): the first maximum wins
     * ties, NaN propagates. Taps are visited in row-major window order, each across the whole
     * output row ({@code best} and {@code bestAt} hold the row's running maxima), so consecutive
     * iterations are independent rather than one long dependency chain per window.
     */
    private static void maxPlane(float[] xs, int xp, Pool2dSpec s, float[] os, int[] is, int op, int ip) {
        int w = s.width();
        int h = s.height();
        int ow = s.outW();
        int sw = s.strideW();
        int[] best = new int[ow];
        int[] bestAt = new int[ow];
        for (int oy = 0; oy < s.outH(); oy++) {
            java.util.Arrays.fill(best, Integer.MIN_VALUE); // below every key: the first element replaces it
            int y0 = oy * s.strideH() - s.padH();
            for (int ky = 0; ky < s.kernelH(); ky++) {
                int iy = y0 + ky;
                if (iy < 0 || iy >= h) {
                    continue;
                }
                int row = iy * w;
                for (int kx = 0; kx < s.kernelW(); kx++) {
                    int shift = s.padW() - kx; // input column = ox * sw - shift
                    int lo = shift <= 0 ? 0 : Math.min(ow, (shift + sw - 1) / sw);
                    int last = w - 1 + shift;
                    int hi = last < 0 ? lo : Math.max(lo, Math.min(ow, last / sw + 1));
                    for (int ox = lo; ox < hi; ox++) {
                        int at = row + ox * sw - shift;
                        int k = key(xs[xp + at]);
                        int m = replaces(k, best[ox]);
                        best[ox] += (k - best[ox]) & m;
                        bestAt[ox] += (at - bestAt[ox]) & m;
                    }
                }
            }
            for (int ox = 0; ox < ow; ox++) {
                os[op + oy * ow + ox] = xs[xp + bestAt[ox]];
                is[ip + oy * ow + ox] = bestAt[ox];
            }
        }
    }

    /**
     * After {@link VectorPool#maxPlane}: computes outputs {@code [from, L)} of the plane, and
     * re-computes every earlier output whose maximum is -infinity (its index might name padding).
     */
    private static void maxFixUp(float[] xs, int xp, Pool2dSpec s, int from, float[] os, int[] is, int op, int ip) {
        int l = s.outH() * s.outW();
        for (int o = 0; o < l; o++) {
            if (o >= from || os[op + o] == Float.NEGATIVE_INFINITY) {
                int at = maxWindow(xs, xp, s, o / s.outW(), o % s.outW());
                os[op + o] = xs[xp + at];
                is[ip + o] = at;
            }
        }
    }

    /** The in-plane position of the maximum of window {@code (oy, ox)}, by PyTorch's rule over its real elements. */
    private static int maxWindow(float[] xs, int xp, Pool2dSpec s, int oy, int ox) {
        int w = s.width();
        int y0 = Math.max(0, s.startH(oy));
        int y1 = Math.min(s.height(), s.endH(oy));
        int x0 = Math.max(0, s.startW(ox));
        int x1 = Math.min(w, s.endW(ox));
        int best = y0 * w + x0;
        int bestKey = Integer.MIN_VALUE;
        for (int iy = y0; iy < y1; iy++) {
            for (int ix = x0; ix < x1; ix++) {
                int k = key(xs[xp + iy * w + ix]);
                int m = replaces(k, bestKey);
                best += (iy * w + ix - best) & m;
                bestKey += (k - bestKey) & m;
            }
        }
        return best;
    }

    /** Outputs {@code [from, corners.length)} of a 2x2/stride-2 plane, the scalar way (after {@link VectorPool}). */
    private static void maxTail2x2(float[] xs, int xp, int w, int[] corners, int from, float[] os, int[] is, int op, int ip) {
        for (int t = from; t < corners.length; t++) {
            int i0 = corners[t];
            int best = i0;
            int bestKey = key(xs[xp + i0]);
            for (int q = 1; q < 4; q++) {
                int i = i0 + (q >> 1) * w + (q & 1);
                int k = key(xs[xp + i]);
                int m = replaces(k, bestKey);
                best += (i - best) & m;
                bestKey += (k - bestKey) & m;
            }
            os[op + t] = xs[xp + best];
            is[ip + t] = best;
        }
    }

    /** One plane, 2x2 windows with stride 2 and no padding (the common case), same rules, unrolled. */
    private static void maxPlane2x2(float[] xs, int xp, Pool2dSpec s, float[] os, int[] is, int op, int ip) {
        int w = s.width();
        int ow = s.outW();
        for (int oy = 0; oy < s.outH(); oy++) {
            int r0 = 2 * oy * w;
            int r1 = r0 + w;
            int o = oy * ow;
            for (int ox = 0; ox < ow; ox++) {
                int i0 = r0 + 2 * ox;
                int i2 = r1 + 2 * ox;
                int k0 = key(xs[xp + i0]);
                int k1 = key(xs[xp + i0 + 1]);
                int k2 = key(xs[xp + i2]);
                int k3 = key(xs[xp + i2 + 1]);
                // Pairwise: the later element of a pair wins when strictly greater or NaN.
                int m01 = replaces(k1, k0);
                int a = i0 + (1 & m01);
                int ka = k0 + ((k1 - k0) & m01);
                int m23 = replaces(k3, k2);
                int b = i2 + (1 & m23);
                int kb = k2 + ((k3 - k2) & m23);
                int mab = replaces(kb, ka);
                int best = a + ((b - a) & mab);
                os[op + o + ox] = xs[xp + best];
                is[ip + o + ox] = best;
            }
        }
    }

    static void maxPool2dBackward(View gradOut, View indices, Pool2dSpec s, View gradIn) {
        float[] gs = CpuStorage.floats(gradOut.storage());
        int[] is = CpuStorage.ints(indices.storage());
        float[] gi = CpuStorage.floats(gradIn.storage());
        int hw = s.height() * s.width();
        int l = s.outH() * s.outW();
        CpuPool.parallelFor(s.batch() * s.channels(), grain(s), (from, to) -> {
            for (int p = from; p < to; p++) {
                int ip = gradIn.offset() + p * hw;
                int go = gradOut.offset() + p * l;
                int io = indices.offset() + p * l;
                for (int o = 0; o < l; o++) {
                    int k = is[io + o];
                    if (k < 0 || k >= hw) {
                        throw new IllegalArgumentException("maxPool2dBackward: index " + k + " is out of range for a "
                                + s.height() + "x" + s.width() + " plane");
                    }
                    gi[ip + k] += gs[go + o];
                }
            }
        });
    }

    /** The reciprocal divisor of every output position. */
    private static float[] reciprocals(Pool2dSpec s) {
        float[] r = new float[s.outH() * s.outW()];
        for (int oy = 0; oy < s.outH(); oy++) {
            for (int ox = 0; ox < s.outW(); ox++) {
                r[oy * s.outW() + ox] = 1f / s.divisor(oy, ox);
            }
        }
        return r;
    }

    static void avgPool2d(View x, Pool2dSpec s, View out) {
        float[] xs = CpuStorage.floats(x.storage());
        float[] os = CpuStorage.floats(out.storage());
        int w = s.width();
        int hw = s.height() * w;
        int oh = s.outH();
        int ow = s.outW();
        int[][] rb = bounds(s, true);
        int[][] cb = bounds(s, false);
        float[] rec = reciprocals(s);
        CpuPool.parallelFor(s.batch() * s.channels(), grain(s), (from, to) -> {
            for (int p = from; p < to; p++) {
                int xp = x.offset() + p * hw;
                int op = out.offset() + p * oh * ow;
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        float sum = 0f;
                        for (int iy = rb[0][oy]; iy < rb[1][oy]; iy++) {
                            int r = xp + iy * w;
                            for (int ix = cb[0][ox]; ix < cb[1][ox]; ix++) {
                                sum += xs[r + ix];
                            }
                        }
                        os[op + oy * ow + ox] = sum * rec[oy * ow + ox];
                    }
                }
            }
        });
    }

    static void avgPool2dBackward(View gradOut, Pool2dSpec s, View gradIn) {
        float[] gs = CpuStorage.floats(gradOut.storage());
        float[] gi = CpuStorage.floats(gradIn.storage());
        int w = s.width();
        int hw = s.height() * w;
        int oh = s.outH();
        int ow = s.outW();
        int[][] rb = bounds(s, true);
        int[][] cb = bounds(s, false);
        float[] rec = reciprocals(s);
        CpuPool.parallelFor(s.batch() * s.channels(), grain(s), (from, to) -> {
            for (int p = from; p < to; p++) {
                int ip = gradIn.offset() + p * hw;
                int go = gradOut.offset() + p * oh * ow;
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        float g = gs[go + oy * ow + ox] * rec[oy * ow + ox];
                        for (int iy = rb[0][oy]; iy < rb[1][oy]; iy++) {
                            int r = ip + iy * w;
                            for (int ix = cb[0][ox]; ix < cb[1][ox]; ix++) {
                                gi[r + ix] += g;
                            }
                        }
                    }
                }
            }
        });
    }
}
