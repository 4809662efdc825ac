package dev.tessera.cpu;

import dev.tessera.spi.Conv2dSpec;

/**
 * Unfolding one image for a convolution (im2col) and its adjoint (col2im), for any stride,
 * padding and dilation. Rows of the unfolded matrix are {@code (c, ky, kx)}, columns {@code (oy,
 * ox)}, see {@link Conv2dSpec}. For each kernel column {@code kx} the range of output columns whose
 * tap lands inside the image is computed once, so the inner loops have no bounds tests and, at
 * stride 1, are plain array copies.
 */
final class Im2col {
    private Im2col() {
    }

    /** First output column whose tap {@code kx} lies at input column {@code >= 0}. */
    static int firstInside(Conv2dSpec s, int kx) {
        int shift = s.padW() - kx * s.dilationW(); // ix = ox * stride - shift
        return shift <= 0 ? 0 : Math.min(s.outW(), (shift + s.strideW() - 1) / s.strideW());
    }

    /** One past the last output column whose tap {@code kx} lies at input column {@code < W}. */
    static int endInside(Conv2dSpec s, int kx) {
        int shift = s.padW() - kx * s.dilationW();
        int last = s.width() - 1 + shift; // ox * stride <= last
        return last < 0 ? 0 : Math.min(s.outW(), last / s.strideW() + 1);
    }

    /**
     * Writes the rows of channels {@code [c0, c1)} of the unfolded image at {@code x[xOff]} (one
     * image, {@code [C, H, W]}) into {@code cols} from {@code colsOff}, {@code outH*outW} floats a
     * row; modifies only those rows.
     */
    static void im2col(float[] x, int xOff, Conv2dSpec s, int c0, int c1, float[] cols, int colsOff) {
        int h = s.height();
        int w = s.width();
        int oh = s.outH();
        int ow = s.outW();
        int l = oh * ow;
        int sw = s.strideW();
        int row = colsOff;
        for (int c = c0; c < c1; c++) {
            int plane = xOff + c * h * w;
            for (int ky = 0; ky < s.kernelH(); ky++) {
                for (int kx = 0; kx < s.kernelW(); kx++) {
                    int lo = firstInside(s, kx);
                    int hi = Math.max(lo, endInside(s, kx));
                    int shift = s.padW() - kx * s.dilationW();
                    for (int oy = 0; oy < oh; oy++) {
                        int iy = oy * s.strideH() - s.padH() + ky * s.dilationH();
                        int d = row + oy * ow;
                        if (iy < 0 || iy >= h) {
                            java.util.Arrays.fill(cols, d, d + ow, 0f);
                            continue;
                        }
                        int src = plane + iy * w - shift;
                        if (lo > 0) {
                            java.util.Arrays.fill(cols, d, d + lo, 0f);
                        }
                        if (sw == 1) {
                            System.arraycopy(x, src + lo, cols, d + lo, hi - lo);
                        } else {
                            for (int ox = lo; ox < hi; ox++) {
                                cols[d + ox] = x[src + ox * sw];
                            }
                        }
                        if (hi < ow) {
                            java.util.Arrays.fill(cols, d + hi, d + ow, 0f);
                        }
                    }
                    row += l;
                }
            }
        }
    }

    /**
     * Adds the rows of channels {@code [c0, c1)} of the unfolded matrix at {@code cols[colsOff]}
     * into the image at {@code x[xOff]} ({@code [C, H, W]}), dropping padding; modifies only those
     * channels of {@code x}.
     */
    static void col2im(float[] cols, int colsOff, Conv2dSpec s, int c0, int c1, float[] x, int xOff) {
        int h = s.height();
        int w = s.width();
        int oh = s.outH();
        int ow = s.outW();
        int l = oh * ow;
        int sw = s.strideW();
        int row = colsOff;
        for (int c = c0; c < c1; c++) {
            int plane = xOff + c * h * w;
            for (int ky = 0; ky < s.kernelH(); ky++) {
                for (int kx = 0; kx < s.kernelW(); kx++) {
                    int lo = firstInside(s, kx);
                    int hi = endInside(s, kx);
                    int shift = s.padW() - kx * s.dilationW();
                    for (int oy = 0; oy < oh; oy++) {
                        int iy = oy * s.strideH() - s.padH() + ky * s.dilationH();
                        if (iy < 0 || iy >= h) {
                            continue;
                        }
                        int d = row + oy * ow;
                        int dst = plane + iy * w - shift;
                        if (sw == 1) {
                            for (int ox = lo; ox < hi; ox++) {
                                x[dst + ox] += cols[d + ox];
                            }
                        } else {
                            for (int ox = lo; ox < hi; ox++) {
                                x[dst + ox * sw] += cols[d + ox];
                            }
                        }
                    }
                    row += l;
                }
            }
        }
    }
}
