/*
 * The softmax step of scaled dot-product attention, in place: each of `rows` contiguous rows of
 * n scores at p[po + row*n] becomes softmax(scale * row). The scores' matrix products run on the
 * backend's GEMM; this kernel folds the scale into the softmax so that no separate pass scales
 * them. An all -inf row gives NaN, as the CPU's softmax does.
 *
 * scaled_softmax_serial runs one work-item per row (short rows), scaled_softmax_tree a work-group
 * of ATT_WG items per row (long rows); both deterministic.
 */

#define ATT_WG 64

KERNEL void scaled_softmax_serial(int rows, int n, float scale, GLOBAL float* p, int po) {
    int r = GID(0);
    if (r >= rows) {
        return;
    }
    int b = po + r * n;
    float m = NEG_INF;
    for (int j = 0; j < n; j++) {
        float v = scale * p[b + j];
        m = isnan(v) || v > m ? v : m;
    }
    if (m == NEG_INF) {
        m = 0.0f;
    }
    float s = 0.0f;
    for (int j = 0; j < n; j++) {
        float e = exp(scale * p[b + j] - m);
        p[b + j] = e;
        s += e;
    }
    float inv = 1.0f / s;
    for (int j = 0; j < n; j++) {
        p[b + j] *= inv;
    }
}

KERNEL void scaled_softmax_tree(int rows, int n, float scale, GLOBAL float* p, int po) {
    LOCAL float part[ATT_WG];
    int r = GROUP_ID(0);
    int t = LID(0);
    int b = po + r * n;
    float m = NEG_INF;
    for (int j = t; j < n; j += ATT_WG) {
        float v = scale * p[b + j];
        m = isnan(v) || v > m ? v : m;
    }
    part[t] = m;
    BARRIER;
    for (int step = ATT_WG / 2; step > 0; step >>= 1) {
        if (t < step) {
            float x = part[t];
            float y = part[t + step];
            part[t] = isnan(y) || y > x ? y : x;
        }
        BARRIER;
    }
    m = part[0];
    if (m == NEG_INF) {
        m = 0.0f;
    }
    BARRIER;
    float s = 0.0f;
    for (int j = t; j < n; j += ATT_WG) {
        float e = exp(scale * p[b + j] - m);
        p[b + j] = e;
        s += e;
    }
    part[t] = s;
    BARRIER;
    for (int step = ATT_WG / 2; step > 0; step >>= 1) {
        if (t < step) {
            part[t] += part[t + step];
        }
        BARRIER;
    }
    float inv = 1.0f / part[0];
    for (int j = t; j < n; j += ATT_WG) {
        p[b + j] *= inv;
    }
}
