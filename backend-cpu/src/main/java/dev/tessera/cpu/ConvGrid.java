package dev.tessera.cpu;

import dev.tessera.spi.Conv2dSpec;

/**
 * The input layout of the implicit-GEMM convolution kernels ({@link ImplicitConv}): one image,
 * zero-padded and split into {@code strideH x strideW} phases, {@code P[c][a][b][i][j] = xpad[i *
 * strideH + a][j * strideW + b]}, each phase {@code hq x wq}. In that layout every kernel tap
 * {@code (c, ky, kx)} reads, for all outputs, one contiguous run: output {@code (oy, ox)} on a
 * "virtual" grid of {@code outH} rows of {@code wq} columns reads {@code P[rowOff[tap] + oy * wq +
 * ox]}. Columns {@code ox >= outW} of the grid are garbage and dropped when storing. At stride 1
 * this is just the padded image ({@code wq = W + 2 padW}).
 *
 * <p>The taps are ordered as in the weight ({@code (c * kH + ky) * kW + kx}), relative to the first
 * channel of a group; {@link #groupBase} adds the group's offset. The buffer has a zero tail so the
 * last vector of the grid may read past its end.
 */
final class ConvGrid {
    final Conv2dSpec s;
    final int hq;
    final int wq;
    /** Floats of one phase plane, {@code hq * wq}. */
    final int phase;
    /** Floats of one channel (all its phases). */
    final int channel;
    /** Columns of the virtual output grid, {@code outH * wq}. */
    final int j;
    /** Floats of the arranged image including the zero tail. */
    final int size;
    /** Offset of each tap of a group relative to the group's first channel. */
    final int[] rowOff;

    ConvGrid(Conv2dSpec s, int slack) {
        this.s = s;
        int hp = s.height() + 2 * s.padH();
        int wp = s.width() + 2 * s.padW();
        this.hq = (hp + s.strideH() - 1) / s.strideH();
        this.wq = (wp + s.strideW() - 1) / s.strideW();
        this.phase = hq * wq;
        this.channel = s.strideH() * s.strideW() * phase;
        this.j = s.outH() * wq;
        this.size = s.inChannels() * channel + wq + slack;
        int kh = s.kernelH();
        int kw = s.kernelW();
        rowOff = new int[s.inPerGroup() * kh * kw];
        for (int c = 0; c < s.inPerGroup(); c++) {
            for (int ky = 0; ky < kh; ky++) {
                int dy = ky * s.dilationH();
                for (int kx = 0; kx < kw; kx++) {
                    int dx = kx * s.dilationW();
                    rowOff[(c * kh + ky) * kw + kx] = c * channel + ((dy % s.strideH()) * s.strideW() + dx % s.strideW()) * phase
                            + (dy / s.strideH()) * wq + dx / s.strideW();
                }
            }
        }
    }

    /** Offset of group {@code g}'s first channel in the arranged image. */
    int groupBase(int g) {
        return g * s.inPerGroup() * channel;
    }

    /** Writes image {@code x[xo]} ({@code [C, H, W]}) into {@code p} in this layout, padding and tail zeroed. */
    void arrange(float[] x, int xo, float[] p) {
        arrange(x, xo, p, 0);
    }

    /** Writes image {@code x[xo]} into {@code p} from {@code pOff} in this layout ({@link #size} floats). */
    void arrange(float[] x, int xo, float[] p, int pOff) {
        int h = s.height();
        int w = s.width();
        int ph = s.padH();
        int pw = s.padW();
        int sh = s.strideH();
        int sw = s.strideW();
        for (int c = 0; c < s.inChannels(); c++) {
            int src = xo + c * h * w;
            for (int a = 0; a < sh; a++) {
                for (int b = 0; b < sw; b++) {
                    int plane = pOff + c * channel + (a * sw + b) * phase;
                    // Columns jj whose input column jj*sw + b - pw lies inside [0, w).
                    int lo = Math.min(wq, Math.max(0, (pw - b + sw - 1) / sw));
                    int last = w - 1 + pw - b;
                    int hi = last < 0 ? lo : Math.max(lo, Math.min(wq, last / sw + 1));
                    for (int i = 0; i < hq; i++) {
                        int row = plane + i * wq;
                        int iy = i * sh + a - ph;
                        if (iy < 0 || iy >= h) {
                            java.util.Arrays.fill(p, row, row + wq, 0f);
                            continue;
                        }
                        java.util.Arrays.fill(p, row, row + lo, 0f);
                        int from = src + iy * w + lo * sw + b - pw;
                        if (sw == 1) {
                            System.arraycopy(x, from, p, row + lo, hi - lo);
                        } else {
                            for (int jj = lo; jj < hi; jj++) {
                                p[row + jj] = x[from + (jj - lo) * sw];
                            }
                        }
                        java.util.Arrays.fill(p, row + hi, row + wq, 0f);
                    }
                }
            }
        }
        int end = pOff + s.inChannels() * channel;
        java.util.Arrays.fill(p, end, pOff + size, 0f);
    }

    /**
     * The adjoint of {@link #arrange}: adds every element of {@code dp} (in this layout) that lies
     * inside the image into {@code gx[gxo]} ({@code [C, H, W]}); padding is dropped.
     */
    void disarrange(float[] dp, float[] gx, int gxo) {
        int h = s.height();
        int w = s.width();
        int ph = s.padH();
        int pw = s.padW();
        int sh = s.strideH();
        int sw = s.strideW();
        for (int c = 0; c < s.inChannels(); c++) {
            int dst = gxo + c * h * w;
            for (int a = 0; a < sh; a++) {
                for (int b = 0; b < sw; b++) {
                    int plane = c * channel + (a * sw + b) * phase;
                    int lo = Math.min(wq, Math.max(0, (pw - b + sw - 1) / sw));
                    int last = w - 1 + pw - b;
                    int hi = last < 0 ? lo : Math.max(lo, Math.min(wq, last / sw + 1));
                    for (int i = 0; i < hq; i++) {
                        int iy = i * sh + a - ph;
                        if (iy < 0 || iy >= h) {
                            continue;
                        }
                        int row = plane + i * wq;
                        int to = dst + iy * w + lo * sw + b - pw;
                        if (sw == 1) {
                            for (int jj = lo; jj < hi; jj++) {
                                gx[to + jj - lo] += dp[row + jj];
                            }
                        } else {
                            for (int jj = lo; jj < hi; jj++) {
                                gx[to + (jj - lo) * sw] += dp[row + jj];
                            }
                        }
                    }
                }
            }
        }
    }
}
