package dev.tessera.cpu;

import dev.tessera.spi.Conv2dSpec;

/**
 * Depthwise convolutions ({@code groups == inChannels}, each output channel {@code o} reads only
 * input channel {@code o / multiplier}) computed directly, plane by plane: a product per group
 * would be a 1-row GEMM, and unfolding would copy the image {@code kH*kW} times for
 * {@code kH*kW} multiply-adds per output. For each tap the output columns whose input lies inside
 * the image are computed once ({@link Im2col#firstInside}), so the inner loops are
 * bounds-test-free axpy and dot loops, vectorised at stride 1 ({@link VectorAxpy}).
 */
final class DepthwiseConv {
    private DepthwiseConv() {
    }

    /** Whether {@code s} is depthwise: one input channel per group. */
    static boolean applies(Conv2dSpec s) {
        return s.groups() == s.inChannels() && s.groups() > 1;
    }

    private static int grain(Conv2dSpec s) {
        return Math.max(1, (1 << 14) / Math.max(1, s.colCols() * s.kernelSize()));
    }

    /** {@code out = conv(x, w) + bias} (or {@code out +=} when {@code accumulate}); bias may be null. */
    static void forward(float[] x, int xOff, float[] w, int wOff, float[] bias, int bOff, Conv2dSpec s, float[] out, int oOff,
                        boolean accumulate) {
        int c = s.inChannels();
        int oc = s.outChannels();
        int mult = oc / c;
        int hw = s.height() * s.width();
        int l = s.colCols();
        CpuPool.parallelFor(s.batch() * oc, grain(s), (from, to) -> {
            for (int idx = from; idx < to; idx++) {
                int n = idx / oc;
                int o = idx % oc;
                int xp = xOff + (n * c + o / mult) * hw;
                int op = oOff + idx * l;
                float b = bias == null ? 0f : bias[bOff + o];
                if (!accumulate) {
                    java.util.Arrays.fill(out, op, op + l, b);
                } else if (b != 0f) {
                    for (int i = 0; i < l; i++) {
                        out[op + i] += b;
                    }
                }
                plane(x, xp, w, wOff + o * s.kernelSize(), s, out, op, false);
            }
        });
    }

    /** {@code gx += input gradient}; each task owns whole input planes. */
    static void backwardInput(float[] gy, int gyOff, float[] w, int wOff, Conv2dSpec s, float[] gx, int gxOff) {
        int c = s.inChannels();
        int oc = s.outChannels();
        int mult = oc / c;
        int hw = s.height() * s.width();
        int l = s.colCols();
        CpuPool.parallelFor(s.batch() * c, grain(s), (from, to) -> {
            for (int idx = from; idx < to; idx++) {
                int n = idx / c;
                int ch = idx % c;
                for (int j = 0; j < mult; j++) {
                    int o = ch * mult + j;
                    plane(gx, gxOff + idx * hw, w, wOff + o * s.kernelSize(), s, gy, gyOff + (n * oc + o) * l, true);
                }
            }
        });
    }

    /**
     * For every tap {@code (ky, kx)} with weight {@code wv} and every output {@code (oy, ox)} whose
     * input {@code (iy, ix)} is inside the image: forward ({@code !transpose}) {@code y[oy, ox] += wv
     * * x[iy, ix]}; transposed {@code x[iy, ix] += wv * y[oy, ox]}.
     */
    private static void plane(float[] x, int xp, float[] w, int wp, Conv2dSpec s, float[] y, int yp, boolean transpose) {
        int wd = s.width();
        int h = s.height();
        int ow = s.outW();
        int sw = s.strideW();
        for (int ky = 0; ky < s.kernelH(); ky++) {
            for (int kx = 0; kx < s.kernelW(); kx++) {
                float wv = w[wp + ky * s.kernelW() + kx];
                int lo = Im2col.firstInside(s, kx);
                int hi = Im2col.endInside(s, kx);
                int shift = s.padW() - kx * s.dilationW();
                for (int oy = 0; oy < s.outH(); oy++) {
                    int iy = oy * s.strideH() - s.padH() + ky * s.dilationH();
                    if (iy < 0 || iy >= h) {
                        continue;
                    }
                    int src = xp + iy * wd - shift;
                    int dst = yp + oy * ow;
                    if (sw == 1 && ConvGemm.VECTOR && hi > lo) {
                        if (transpose) {
                            VectorAxpy.axpy(wv, y, dst + lo, x, src + lo, hi - lo);
                        } else {
                            VectorAxpy.axpy(wv, x, src + lo, y, dst + lo, hi - lo);
                        }
                    } else if (sw == 1) {
                        if (transpose) {
                            for (int ox = lo; ox < hi; ox++) {
                                x[src + ox] += wv * y[dst + ox];
                            }
                        } else {
                            for (int ox = lo; ox < hi; ox++) {
                                y[dst + ox] += wv * x[src + ox];
                            }
                        }
                    } else if (transpose) {
                        for (int ox = lo; ox < hi; ox++) {
                            x[src + ox * sw] += wv * y[dst + ox];
                        }
                    } else {
                        for (int ox = lo; ox < hi; ox++) {
                            y[dst + ox] += wv * x[src + ox * sw];
                        }
                    }
                }
            }
        }
    }

    /** {@code gw += weight gradient}; each task owns whole output channels and loops over the batch. */
    static void backwardWeight(float[] x, int xOff, float[] gy, int gyOff, Conv2dSpec s, float[] gw, int gwOff) {
        int c = s.inChannels();
        int oc = s.outChannels();
        int mult = oc / c;
        int hw = s.height() * s.width();
        int l = s.colCols();
        int wd = s.width();
        int ow = s.outW();
        int sw = s.strideW();
        int kk = s.kernelSize();
        CpuPool.parallelFor(oc, Math.max(1, grain(s) / s.batch()), (from, to) -> {
            for (int o = from; o < to; o++) {
                for (int ky = 0; ky < s.kernelH(); ky++) {
                    for (int kx = 0; kx < s.kernelW(); kx++) {
                        int lo = Im2col.firstInside(s, kx);
                        int hi = Im2col.endInside(s, kx);
                        int shift = s.padW() - kx * s.dilationW();
                        double sum = 0;
                        for (int n = 0; n < s.batch(); n++) {
                            int xp = xOff + (n * c + o / mult) * hw;
                            int yp = gyOff + (n * oc + o) * l;
                            for (int oy = 0; oy < s.outH(); oy++) {
                                int iy = oy * s.strideH() - s.padH() + ky * s.dilationH();
                                if (iy < 0 || iy >= s.height()) {
                                    continue;
                                }
                                int src = xp + iy * wd - shift;
                                int dst = yp + oy * ow;
                                float row = 0f;
                                if (sw == 1 && ConvGemm.VECTOR && hi > lo) {
                                    row = VectorAxpy.dot(gy, dst + lo, x, src + lo, hi - lo);
                                } else {
                                    for (int ox = lo; ox < hi; ox++) {
                                        row += gy[dst + ox] * x[src + ox * sw];
                                    }
                                }
                                sum += row;
                            }
                        }
                        gw[gwOff + o * kk + ky * s.kernelW() + kx] += (float) sum;
                    }
                }
            }
        });
    }
}
