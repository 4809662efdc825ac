/*
 * Reductions and softmax along the middle axis of a contiguous block viewed as [outer, n, inner].
 * Output r = o * inner + c reduces the line x[xo + o*n*inner + j*inner + c], j < n.
 *
 * Two shapes of kernel: *_serial runs one work-item per line (short lines, many of them), *_tree
 * one work-group of REDUCE_WG items per line, each item striding over the line and the group
 * combining in local memory by a tree (long lines). Both are deterministic: the combination order
 * depends only on n, never on timing.
 *
 * Semantics (dev.tessera.spi.ReduceOp): SUM of an empty line is 0; MAX/MIN propagate NaN;
 * ARGMAX/ARGMIN give the first index of the best value, a NaN counting as the best.
 */

#define R_SUM 0
#define R_MAX 1
#define R_MIN 2
#define R_ARGMAX 3
#define R_ARGMIN 4

#define REDUCE_WG 64

/* Is candidate (v, i) better than (bv, bi) for max (or min when !max)? NaN wins, ties go to the lower index. */
DEVICE int arg_better(float v, int i, float bv, int bi, int max) {
    if (i < 0) {
        return 0; /* no candidate */
    }
    if (bi < 0) {
        return 1; /* nothing yet */
    }
    int vn = isnan(v);
    int bn = isnan(bv);
    if (vn || bn) {
        return vn && (!bn || i < bi);
    }
    if (v == bv) {
        return i < bi;
    }
    return max ? v > bv : v < bv;
}

KERNEL void reduce_serial(int op, int outer, int n, int inner, GLOBAL const float* x, int xo, GLOBAL float* out,
                          int oo) {
    int r = GID(0);
    if (r >= outer * inner) {
        return;
    }
    int o = r / inner;
    int c = r - o * inner;
    int base = xo + o * n * inner + c;
    if (op == R_SUM) {
        float s = 0.0f;
        for (int j = 0; j < n; j++) {
            s += x[base + j * inner];
        }
        out[oo + r] = s;
        return;
    }
    int max = op == R_MAX || op == R_ARGMAX;
    float bv = x[base];
    int bi = 0;
    for (int j = 1; j < n && !isnan(bv); j++) {
        float v = x[base + j * inner];
        if (isnan(v) || (max ? v > bv : v < bv)) {
            bv = v;
            bi = j;
        }
    }
    if (op == R_ARGMAX || op == R_ARGMIN) {
        ((GLOBAL int*) out)[oo + r] = bi;
    } else {
        out[oo + r] = bv;
    }
}

KERNEL void reduce_tree(int op, int outer, int n, int inner, GLOBAL const float* x, int xo, GLOBAL float* out,
                        int oo) {
    LOCAL float vals[REDUCE_WG];
    LOCAL int idx[REDUCE_WG];
    int r = GROUP_ID(0);
    int t = LID(0);
    int o = r / inner;
    int c = r - o * inner;
    int base = xo + o * n * inner + c;
    int sum = op == R_SUM;
    int max = op == R_MAX || op == R_ARGMAX;
    float bv = 0.0f;
    int bi = -1;
    for (int j = t; j < n; j += REDUCE_WG) {
        float v = x[base + j * inner];
        if (sum) {
            bv += v;
        } else if (arg_better(v, j, bv, bi, max)) {
            bv = v;
            bi = j;
        }
    }
    vals[t] = bv;
    idx[t] = bi;
    BARRIER;
    for (int step = REDUCE_WG / 2; step > 0; step >>= 1) {
        if (t < step) {
            if (sum) {
                vals[t] += vals[t + step];
            } else if (arg_better(vals[t + step], idx[t + step], vals[t], idx[t], max)) {
                vals[t] = vals[t + step];
                idx[t] = idx[t + step];
            }
        }
        BARRIER;
    }
    if (t == 0) {
        if (op == R_ARGMAX || op == R_ARGMIN) {
            ((GLOBAL int*) out)[oo + r] = idx[0];
        } else {
            out[oo + r] = vals[0];
        }
    }
}

/* INT32 SUM (wrapping), MAX or MIN, one work-item per line. */
KERNEL void reduce_int(int op, int outer, int n, int inner, GLOBAL const int* x, int xo, GLOBAL int* out, int oo) {
    int r = GID(0);
    if (r >= outer * inner) {
        return;
    }
    int o = r / inner;
    int c = r - o * inner;
    int base = xo + o * n * inner + c;
    unsigned int s = 0;
    int best = n > 0 ? x[base] : 0;
    for (int j = 0; j < n; j++) {
        int v = x[base + j * inner];
        s += (unsigned int) v;
        best = op == R_MAX ? (v > best ? v : best) : (v < best ? v : best);
    }
    out[oo + r] = op == R_SUM ? (int) s : best;
}

/* Softmax (or log-softmax) of one line per work-item: max, sum of exponentials, then the outputs. */
KERNEL void softmax_serial(int outer, int n, int inner, GLOBAL const float* x, int xo, GLOBAL float* out, int oo,
                           int logSoftmax) {
    int r = GID(0);
    if (r >= outer * inner) {
        return;
    }
    int o = r / inner;
    int c = r - o * inner;
    int xb = xo + o * n * inner + c;
    int ob = oo + o * n * inner + c;
    float m = NEG_INF;
    for (int j = 0; j < n; j++) {
        float v = x[xb + j * inner];
        m = isnan(v) || v > m ? v : m;
    }
    if (m == NEG_INF) {
        m = 0.0f; /* an all -inf line: NaN results through 0/0, as on the CPU */
    }
    float s = 0.0f;
    for (int j = 0; j < n; j++) {
        s += exp(x[xb + j * inner] - m);
    }
    float ls = log(s);
    float inv = 1.0f / s;
    for (int j = 0; j < n; j++) {
        float v = x[xb + j * inner] - m;
        out[ob + j * inner] = logSoftmax ? v - ls : exp(v) * inv;
    }
}

/* As softmax_serial with a work-group of REDUCE_WG items per line (long lines). */
KERNEL void softmax_tree(int outer, int n, int inner, GLOBAL const float* x, int xo, GLOBAL float* out, int oo,
                         int logSoftmax) {
    LOCAL float part[REDUCE_WG];
    int r = GROUP_ID(0);
    int t = LID(0);
    int o = r / inner;
    int c = r - o * inner;
    int xb = xo + o * n * inner + c;
    int ob = oo + o * n * inner + c;
    float m = NEG_INF;
    for (int j = t; j < n; j += REDUCE_WG) {
        float v = x[xb + j * inner];
        m = isnan(v) || v > m ? v : m;
    }
    part[t] = m;
    BARRIER;
    for (int step = REDUCE_WG / 2; step > 0; step >>= 1) {
        if (t < step) {
            float a = part[t];
            float b = part[t + step];
            part[t] = isnan(b) || b > a ? b : a;
        }
        BARRIER;
    }
    m = part[0];
    if (m == NEG_INF) {
        m = 0.0f;
    }
    BARRIER;
    float s = 0.0f;
    for (int j = t; j < n; j += REDUCE_WG) {
        s += exp(x[xb + j * inner] - m);
    }
    part[t] = s;
    BARRIER;
    for (int step = REDUCE_WG / 2; step > 0; step >>= 1) {
        if (t < step) {
            part[t] += part[t + step];
        }
        BARRIER;
    }
    s = part[0];
    float ls = log(s);
    float inv = 1.0f / s;
    for (int j = t; j < n; j += REDUCE_WG) {
        float v = x[xb + j * inner] - m;
        out[ob + j * inner] = logSoftmax ? v - ls : exp(v) * inv;
    }
}
