/*
 * The gradient of softmax (dev.tessera.spi.Backend#softmaxBackward) along the middle axis of
 * contiguous blocks viewed as [outer, n, inner]: line r = o * inner + c holds elements
 * o*n*inner + j*inner + c, j < n. For softmax gx = scale * y * (g - sum_j g*y), for log-softmax
 * gx = scale * (g - exp(y) * sum_j g) (y the log-probabilities); scale is 1 except in attention's
 * backward, which folds its score scale in here. gx may be g at the same offset: every line is
 * summed completely before any of it is written.
 *
 * *_serial runs one work-item per line (short lines), *_tree one work-group of SMB_WG items per
 * line, combining partial sums by a tree in local memory; both in an order fixed by n alone.
 */

#define SMB_WG 64

KERNEL void softmax_backward_serial(int outer, int n, int inner, GLOBAL const float* y, int yo, GLOBAL const float* g,
                                    int go, GLOBAL float* gx, int gxo, int logSoftmax, float scale) {
    int r = GID(0);
    if (r >= outer * inner) {
        return;
    }
    int o = r / inner;
    int c = r - o * inner;
    int base = o * n * inner + c;
    float s = 0.0f;
    for (int j = 0; j < n; j++) {
        int e = base + j * inner;
        s += logSoftmax ? g[go + e] : g[go + e] * y[yo + e];
    }
    for (int j = 0; j < n; j++) {
        int e = base + j * inner;
        float gj = g[go + e];
        float yj = y[yo + e];
        float d = logSoftmax ? gj - exp(yj) * s : yj * (gj - s);
        gx[gxo + e] = scale * d;
    }
}

KERNEL void softmax_backward_tree(int outer, int n, int inner, GLOBAL const float* y, int yo, GLOBAL const float* g,
                                  int go, GLOBAL float* gx, int gxo, int logSoftmax, float scale) {
    LOCAL float part[SMB_WG];
    int r = GROUP_ID(0);
    int t = LID(0);
    int o = r / inner;
    int c = r - o * inner;
    int base = o * n * inner + c;
    float s = 0.0f;
    for (int j = t; j < n; j += SMB_WG) {
        int e = base + j * inner;
        s += logSoftmax ? g[go + e] : g[go + e] * y[yo + e];
    }
    part[t] = s;
    BARRIER;
    for (int step = SMB_WG / 2; step > 0; step >>= 1) {
        if (t < step) {
            part[t] += part[t + step];
        }
        BARRIER;
    }
    s = part[0];
    for (int j = t; j < n; j += SMB_WG) {
        int e = base + j * inner;
        float gj = g[go + e];
        float yj = y[yo + e];
        float d = logSoftmax ? gj - exp(yj) * s : yj * (gj - s);
        gx[gxo + e] = scale * d;
    }
}
