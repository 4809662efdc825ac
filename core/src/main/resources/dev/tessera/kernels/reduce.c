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
 *
 * Accuracy: float sums (SUM, and softmax's sum of exponentials) carry a compensation term
 * (Neumaier's variant of Kahan summation) per work-item, and the tree combines (sum,
 * compensation) pairs, so a line of a million terms is summed about as accurately as the CPU
 * backend's double accumulators do (a plain float accumulator drifts by ~1e-4 relative there).
 */

#define R_SUM 0
#define R_MAX 1
#define R_MIN 2
#define R_ARGMAX 3
#define R_ARGMIN 4

#define REDUCE_WG 64

/*
 * Adds v to the compensated sum (*s, *c) (Neumaier): *s + *c is the running sum, *c collecting
 * the low-order bits each addition to *s rounds away. Additions and subtractions only (no
 * contraction into fused multiply-adds can change it).
 */
DEVICE void csum_add(float* s, float* c, float v) {
    float a = *s;
    float t = a + v;
    *c += fabs(a) >= fabs(v) ? (a - t) + v : (v - t) + a;
    *s = t;
}

/* The value of a compensated sum: s + c, or s itself once s is infinite or NaN (c is then meaningless). */
DEVICE float csum_value(float s, float c) {
    return fabs(s) < POS_INF ? s + c : s;
}

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
        float e = 0.0f;
        for (int j = 0; j < n; j++) {
            csum_add(&s, &e, x[base + j * inner]);
        }
        out[oo + r] = csum_value(s, e);
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
    LOCAL float comp[REDUCE_WG];
    LOCAL int idx[REDUCE_WG];
    int r = GROUP_ID(0);
    int t = LID(0);
    int o = r / inner;
    int c = r - o * inner;
    int base = xo + o * n * inner + c;
    int sum = op == R_SUM;
    int max = op == R_MAX || op == R_ARGMAX;
    float bv = 0.0f;
    float be = 0.0f; /* SUM: compensation of bv */
    int bi = -1;
    for (int j = t; j < n; j += REDUCE_WG) {
        float v = x[base + j * inner];
        if (sum) {
            csum_add(&bv, &be, v);
        } else if (arg_better(v, j, bv, bi, max)) {
            bv = v;
            bi = j;
        }
    }
    vals[t] = bv;
    comp[t] = be;
    idx[t] = bi;
    BARRIER;
    for (int step = REDUCE_WG / 2; step > 0; step >>= 1) {
        if (t < step) {
            if (sum) {
                float s = vals[t];
                float e = comp[t] + comp[t + step];
                csum_add(&s, &e, vals[t + step]);
                vals[t] = s;
                comp[t] = e;
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
            out[oo + r] = sum ? csum_value(vals[0], comp[0]) : vals[0];
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

/*
 * Softmax (or log-softmax) of scale * line, one line per work-item: max, sum of exponentials, then
 * the outputs. out may be x at the same offset (attention normalises its scores in place).
 */
KERNEL void softmax_serial(int outer, int n, int inner, float scale, GLOBAL const float* x, int xo, GLOBAL float* out,
                           int oo, int logSoftmax) {
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
        float v = scale * x[xb + j * inner];
        m = isnan(v) || v > m ? v : m;
    }
    if (m == NEG_INF) {
        m = 0.0f; /* an all -inf line: NaN results through 0/0, as on the CPU */
    }
    float s = 0.0f;
    float e = 0.0f;
    for (int j = 0; j < n; j++) {
        csum_add(&s, &e, exp(scale * x[xb + j * inner] - m));
    }
    s = csum_value(s, e);
    float ls = log(s);
    float inv = 1.0f / s;
    for (int j = 0; j < n; j++) {
        float v = scale * x[xb + j * inner] - m;
        out[ob + j * inner] = logSoftmax ? v - ls : exp(v) * inv;
    }
}

/* As softmax_serial with a work-group of REDUCE_WG items per line (long lines). */
KERNEL void softmax_tree(int outer, int n, int inner, float scale, GLOBAL const float* x, int xo, GLOBAL float* out,
                         int oo, int logSoftmax) {
    LOCAL float part[REDUCE_WG];
    LOCAL float comp[REDUCE_WG];
    int r = GROUP_ID(0);
    int t = LID(0);
    int o = r / inner;
    int c = r - o * inner;
    int xb = xo + o * n * inner + c;
    int ob = oo + o * n * inner + c;
    float m = NEG_INF;
    for (int j = t; j < n; j += REDUCE_WG) {
        float v = scale * x[xb + j * inner];
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
    float e = 0.0f;
    for (int j = t; j < n; j += REDUCE_WG) {
        csum_add(&s, &e, exp(scale * x[xb + j * inner] - m));
    }
    part[t] = s;
    comp[t] = e;
    BARRIER;
    for (int step = REDUCE_WG / 2; step > 0; step >>= 1) {
        if (t < step) {
            float ps = part[t];
            float pe = comp[t] + comp[t + step];
            csum_add(&ps, &pe, part[t + step]);
            part[t] = ps;
            comp[t] = pe;
        }
        BARRIER;
    }
    s = csum_value(part[0], comp[0]);
    float ls = log(s);
    float inv = 1.0f / s;
    for (int j = t; j < n; j += REDUCE_WG) {
        float v = scale * x[xb + j * inner] - m;
        out[ob + j * inner] = logSoftmax ? v - ls : exp(v) * inv;
    }
}
