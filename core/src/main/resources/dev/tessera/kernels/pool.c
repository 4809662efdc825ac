/*
 * 2-D pooling (dev.tessera.spi.Pool2dSpec): max and average, sliding or adaptive windows, and
 * their gradients. Forward kernels run one work-item per output element and read x through its
 * strides; backward kernels run one work-item per input element, scan the windows that cover it in
 * row-major order of the output and add their contributions in that order (the CPU's order), so
 * no two work-items write one element and the results are deterministic.
 */

/* The geometry, passed by value (ints in this order; ClPool packs it). */
typedef struct {
    int batch, channels, height, width;
    int outH, outW, kernelH, kernelW;
    int strideH, strideW, padH, padW;
    int countIncludePad, adaptive, pad0, pad1;
} PoolGeom;

/* A strided NCHW view: element (n, c, y, x) at off + n*s0 + c*s1 + y*s2 + x*s3. */
typedef struct {
    int off, s0, s1, s2, s3;
} PoolView;

DEVICE int imin(int a, int b) {
    return a < b ? a : b;
}

DEVICE int imax(int a, int b) {
    return a > b ? a : b;
}

DEVICE int adaptive_start(int i, int in, int out) {
    return (int) (((I64) i * in) / out);
}

DEVICE int adaptive_end(int i, int in, int out) {
    return (int) (((I64) (i + 1) * in + out - 1) / out);
}

/* First input row of output row oy (may be negative: padding). */
DEVICE int start_h(const PoolGeom* G, int oy) {
    return G->adaptive ? adaptive_start(oy, G->height, G->outH) : oy * G->strideH - G->padH;
}

DEVICE int end_h(const PoolGeom* G, int oy) {
    return G->adaptive ? adaptive_end(oy, G->height, G->outH) : oy * G->strideH - G->padH + G->kernelH;
}

DEVICE int start_w(const PoolGeom* G, int ox) {
    return G->adaptive ? adaptive_start(ox, G->width, G->outW) : ox * G->strideW - G->padW;
}

DEVICE int end_w(const PoolGeom* G, int ox) {
    return G->adaptive ? adaptive_end(ox, G->width, G->outW) : ox * G->strideW - G->padW + G->kernelW;
}

/* Pool2dSpec.divisor: the window clipped to the padded input (countIncludePad) or to the input. */
DEVICE int pool_divisor(const PoolGeom* G, int oy, int ox) {
    int h0 = start_h(G, oy);
    int h1 = end_h(G, oy);
    int w0 = start_w(G, ox);
    int w1 = end_w(G, ox);
    if (G->countIncludePad && !G->adaptive) {
        return (imin(h1, G->height + G->padH) - h0) * (imin(w1, G->width + G->padW) - w0);
    }
    return (imin(h1, G->height) - imax(h0, 0)) * (imin(w1, G->width) - imax(w0, 0));
}

/* The output rows [lo, hi] whose windows may cover input row iy (callers check each with start/end). */
DEVICE void covering(int adaptive, int i, int in, int out, int size, int stride, int pad, int* lo, int* hi) {
    if (adaptive) {
        *lo = (int) (((I64) i * out) / in);
        *hi = (int) (((I64) (i + 1) * out + in - 1) / in) - 1;
    } else {
        int t = i + pad - size + 1;
        *lo = t <= 0 ? 0 : (t + stride - 1) / stride;
        *hi = (i + pad) / stride;
    }
    *lo = imax(*lo, 0);
    *hi = imin(*hi, out - 1);
}

/*
 * out and indices (contiguous from oo and io) = the maximum of each window and its position
 * iy * W + ix in the plane: PyTorch's rule, an element replaces the maximum when greater or NaN
 * (so the first maximum wins ties, NaN propagates); padding never wins.
 */
KERNEL void max_pool(PoolGeom G, PoolView X, GLOBAL const float* x, GLOBAL float* out, int oo, GLOBAL int* indices,
                     int io) {
    int l = G.outH * G.outW;
    int i = GID(0);
    if (i >= G.batch * G.channels * l) {
        return;
    }
    int o = i % l;
    int plane = i / l;
    int c = plane % G.channels;
    int n = plane / G.channels;
    int oy = o / G.outW;
    int ox = o - oy * G.outW;
    int y0 = imax(start_h(&G, oy), 0);
    int y1 = imin(end_h(&G, oy), G.height);
    int x0 = imax(start_w(&G, ox), 0);
    int x1 = imin(end_w(&G, ox), G.width);
    int base = X.off + n * X.s0 + c * X.s1;
    float best = 0.0f;
    int at = y0 * G.width + x0;
    int first = 1;
    for (int iy = y0; iy < y1; iy++) {
        for (int ix = x0; ix < x1; ix++) {
            float v = x[base + iy * X.s2 + ix * X.s3];
            if (first || isnan(v) || v > best) {
                best = v;
                at = iy * G.width + ix;
                first = 0;
            }
        }
    }
    out[oo + i] = first ? NEG_INF : best;
    indices[io + i] = at;
}

/*
 * gradIn (contiguous from gi) += for each window covering the element whose index names it, that
 * window's gradOut (contiguous from go; indices from io).
 */
KERNEL void max_pool_backward(PoolGeom G, GLOBAL const float* gradOut, int go, GLOBAL const int* indices, int io,
                              GLOBAL float* gradIn, int gi) {
    int hw = G.height * G.width;
    int i = GID(0);
    if (i >= G.batch * G.channels * hw) {
        return;
    }
    int pos = i % hw;
    int plane = i / hw;
    int iy = pos / G.width;
    int ix = pos - iy * G.width;
    int l = G.outH * G.outW;
    int ylo, yhi, xlo, xhi;
    covering(G.adaptive, iy, G.height, G.outH, G.kernelH, G.strideH, G.padH, &ylo, &yhi);
    covering(G.adaptive, ix, G.width, G.outW, G.kernelW, G.strideW, G.padW, &xlo, &xhi);
    float acc = gradIn[gi + i];
    for (int oy = ylo; oy <= yhi; oy++) {
        if (start_h(&G, oy) > iy || end_h(&G, oy) <= iy) {
            continue;
        }
        for (int ox = xlo; ox <= xhi; ox++) {
            if (start_w(&G, ox) > ix || end_w(&G, ox) <= ix) {
                continue;
            }
            int o = plane * l + oy * G.outW + ox;
            if (indices[io + o] == pos) {
                acc += gradOut[go + o];
            }
        }
    }
    gradIn[gi + i] = acc;
}

/* out (contiguous from oo) = the sum of each window (row-major) times 1 / divisor. */
KERNEL void avg_pool(PoolGeom G, PoolView X, GLOBAL const float* x, GLOBAL float* out, int oo) {
    int l = G.outH * G.outW;
    int i = GID(0);
    if (i >= G.batch * G.channels * l) {
        return;
    }
    int o = i % l;
    int plane = i / l;
    int c = plane % G.channels;
    int n = plane / G.channels;
    int oy = o / G.outW;
    int ox = o - oy * G.outW;
    int y0 = imax(start_h(&G, oy), 0);
    int y1 = imin(end_h(&G, oy), G.height);
    int x0 = imax(start_w(&G, ox), 0);
    int x1 = imin(end_w(&G, ox), G.width);
    int base = X.off + n * X.s0 + c * X.s1;
    float sum = 0.0f;
    for (int iy = y0; iy < y1; iy++) {
        for (int ix = x0; ix < x1; ix++) {
            sum += x[base + iy * X.s2 + ix * X.s3];
        }
    }
    float rec = 1.0f / (float) pool_divisor(&G, oy, ox);
    out[oo + i] = sum * rec;
}

/* gradIn (contiguous from gi) += gradOut[o] * (1 / divisor(o)) for every window o covering the element. */
KERNEL void avg_pool_backward(PoolGeom G, GLOBAL const float* gradOut, int go, GLOBAL float* gradIn, int gi) {
    int hw = G.height * G.width;
    int i = GID(0);
    if (i >= G.batch * G.channels * hw) {
        return;
    }
    int pos = i % hw;
    int plane = i / hw;
    int iy = pos / G.width;
    int ix = pos - iy * G.width;
    int l = G.outH * G.outW;
    int ylo, yhi, xlo, xhi;
    covering(G.adaptive, iy, G.height, G.outH, G.kernelH, G.strideH, G.padH, &ylo, &yhi);
    covering(G.adaptive, ix, G.width, G.outW, G.kernelW, G.strideW, G.padW, &xlo, &xhi);
    float acc = gradIn[gi + i];
    for (int oy = ylo; oy <= yhi; oy++) {
        if (start_h(&G, oy) > iy || end_h(&G, oy) <= iy) {
            continue;
        }
        for (int ox = xlo; ox <= xhi; ox++) {
            if (start_w(&G, ox) > ix || end_w(&G, ox) <= ix) {
                continue;
            }
            float rec = 1.0f / (float) pool_divisor(&G, oy, ox);
            acc += gradOut[go + plane * l + oy * G.outW + ox] * rec;
        }
    }
    gradIn[gi + i] = acc;
}
