/*
 * Convolution helpers (dev.tessera.spi.Conv2dSpec): im2col, its adjoint col2im, the bias and the
 * per-image sum of weight gradients. The matrix products in between run on the backend's GEMM.
 *
 * The unfolded ("im2col") form of a batch is cols [N, C*kH*kW, oH*oW], contiguous: row
 * (c*kH + ky)*kW + kx, column oy*oW + ox holds x[n, c, oy*sH - pH + ky*dH, ox*sW - pW + kx*dW],
 * or 0 in the padding.
 */

/* The geometry, passed by value (ints in this order; ClConv packs it). */
typedef struct {
    int batch, channels, height, width;
    int kernelH, kernelW, strideH, strideW;
    int padH, padW, dilationH, dilationW;
    int outH, outW, pad0, pad1;
} ConvGeom;

/* A strided NCHW view: element (n, c, y, x) at off + n*s0 + c*s1 + y*s2 + x*s3. */
typedef struct {
    int off, s0, s1, s2, s3;
} Nchw;

/* cols (contiguous from co) = im2col(x); one work-item per element of cols. */
KERNEL void im2col(ConvGeom G, Nchw X, GLOBAL const float* x, GLOBAL float* cols, int co) {
    int kk = G.kernelH * G.kernelW;
    int l = G.outH * G.outW;
    int rows = G.channels * kk;
    int i = GID(0);
    if (i >= G.batch * rows * l) {
        return;
    }
    int col = i % l;
    int t = i / l;
    int row = t % rows;
    int n = t / rows;
    int c = row / kk;
    int tap = row - c * kk;
    int ky = tap / G.kernelW;
    int kx = tap - ky * G.kernelW;
    int oy = col / G.outW;
    int ox = col - oy * G.outW;
    int iy = oy * G.strideH - G.padH + ky * G.dilationH;
    int ix = ox * G.strideW - G.padW + kx * G.dilationW;
    float v = 0.0f;
    if (iy >= 0 && iy < G.height && ix >= 0 && ix < G.width) {
        v = x[X.off + n * X.s0 + c * X.s1 + iy * X.s2 + ix * X.s3];
    }
    cols[co + i] = v;
}

/*
 * x += col2im(cols): one work-item per element of x, which adds the entries of cols unfolded from
 * it in the order of their rows (ky, then kx) - the order of the CPU's loop, so the sums are the
 * CPU's bit for bit, and no two work-items write one element (no atomics).
 */
KERNEL void col2im(ConvGeom G, Nchw X, GLOBAL const float* cols, int co, GLOBAL float* x) {
    int hw = G.height * G.width;
    int i = GID(0);
    if (i >= G.batch * G.channels * hw) {
        return;
    }
    int ix = i % G.width;
    int t = i / G.width;
    int iy = t % G.height;
    t /= G.height;
    int c = t % G.channels;
    int n = t / G.channels;
    int l = G.outH * G.outW;
    int kk = G.kernelH * G.kernelW;
    int base = co + (n * G.channels + c) * kk * l;
    int at = X.off + n * X.s0 + c * X.s1 + iy * X.s2 + ix * X.s3;
    float acc = x[at];
    for (int ky = 0; ky < G.kernelH; ky++) {
        int ty = iy + G.padH - ky * G.dilationH;
        if (ty < 0 || ty % G.strideH != 0) {
            continue;
        }
        int oy = ty / G.strideH;
        if (oy >= G.outH) {
            continue;
        }
        for (int kx = 0; kx < G.kernelW; kx++) {
            int tx = ix + G.padW - kx * G.dilationW;
            if (tx < 0 || tx % G.strideW != 0) {
                continue;
            }
            int ox = tx / G.strideW;
            if (ox >= G.outW) {
                continue;
            }
            acc += cols[base + (ky * G.kernelW + kx) * l + oy * G.outW + ox];
        }
    }
    x[at] = acc;
}

/* out[oo + i] += bias[bo + ((i / l) % channels) * bs] for i < n: a bias per channel of [N, channels, l]. */
KERNEL void bias_add(int n, int channels, int l, GLOBAL const float* bias, int bo, int bs, GLOBAL float* out, int oo) {
    int i = GID(0);
    if (i >= n) {
        return;
    }
    out[oo + i] += bias[bo + ((i / l) % channels) * bs];
}

/* out[oo + i] += sum over b < batch of parts[b * len + i], summed in order of b (deterministic). */
KERNEL void sum_batches_add(int batch, int len, GLOBAL const float* parts, GLOBAL float* out, int oo) {
    int i = GID(0);
    if (i >= len) {
        return;
    }
    float s = 0.0f;
    for (int b = 0; b < batch; b++) {
        s += parts[b * len + i];
    }
    out[oo + i] += s;
}
