/*
 * Layer normalization (dev.tessera.spi.Backend#layerNorm and #layerNormBackward) over contiguous
 * rows [rows, n] from the given offsets; per-row statistics [rows] contiguous; the weight and bias
 * [n] with a stride each, absent when their flag is 0 (their buffer is then any valid one). One
 * work-item per row, or per column for the parameter gradients: every sum runs in an order fixed
 * by the shapes alone.
 */

KERNEL void layer_norm(int rows, int n, GLOBAL const float* x, int xo, GLOBAL const float* w, int wo, int ws,
                       int hasW, GLOBAL const float* b, int bo, int bs, int hasB, float eps, GLOBAL float* out, int oo,
                       GLOBAL float* mean, int mo, GLOBAL float* rstd, int ro) {
    int r = GID(0);
    if (r >= rows) {
        return;
    }
    int base = r * n;
    float s = 0.0f;
    for (int j = 0; j < n; j++) {
        s += x[xo + base + j];
    }
    float m = s / n;
    float ss = 0.0f;
    for (int j = 0; j < n; j++) {
        float d = x[xo + base + j] - m;
        ss += d * d;
    }
    float rs = 1.0f / sqrt(ss / n + eps);
    mean[mo + r] = m;
    rstd[ro + r] = rs;
    for (int j = 0; j < n; j++) {
        float y = (x[xo + base + j] - m) * rs;
        if (hasW) {
            y = y * w[wo + j * ws];
        }
        if (hasB) {
            y = y + b[bo + j * bs];
        }
        out[oo + base + j] = y;
    }
}

/* gx = rstd (g - mean(g) - xhat mean(g xhat)) for each row, g = gradOut w, xhat = (x - mean) rstd. */
KERNEL void layer_norm_backward_input(int rows, int n, GLOBAL const float* x, int xo, GLOBAL const float* w, int wo,
                                      int ws, int hasW, GLOBAL const float* mean, int mo, GLOBAL const float* rstd,
                                      int ro, GLOBAL const float* go, int goo, GLOBAL float* gx, int gxo) {
    int r = GID(0);
    if (r >= rows) {
        return;
    }
    int base = r * n;
    float m = mean[mo + r];
    float rs = rstd[ro + r];
    float sg = 0.0f;
    float sgx = 0.0f;
    for (int j = 0; j < n; j++) {
        float g = hasW ? go[goo + base + j] * w[wo + j * ws] : go[goo + base + j];
        sg += g;
        sgx += g * ((x[xo + base + j] - m) * rs);
    }
    float meanG = sg / n;
    float meanGx = sgx / n;
    for (int j = 0; j < n; j++) {
        float g = hasW ? go[goo + base + j] * w[wo + j * ws] : go[goo + base + j];
        float xhat = (x[xo + base + j] - m) * rs;
        gx[gxo + base + j] = (g - meanG - xhat * meanGx) * rs;
    }
}

/* gw[j] = sum over rows of gradOut xhat, gb[j] = sum over rows of gradOut, each unless its flag is 0. */
KERNEL void layer_norm_backward_params(int rows, int n, GLOBAL const float* x, int xo, GLOBAL const float* mean,
                                       int mo, GLOBAL const float* rstd, int ro, GLOBAL const float* go, int goo,
                                       GLOBAL float* gw, int gwo, int hasGw, GLOBAL float* gb, int gbo, int hasGb) {
    int j = GID(0);
    if (j >= n) {
        return;
    }
    float sw = 0.0f;
    float sb = 0.0f;
    for (int r = 0; r < rows; r++) {
        float g = go[goo + r * n + j];
        sb += g;
        sw += g * ((x[xo + r * n + j] - mean[mo + r]) * rstd[ro + r]);
    }
    if (hasGw) {
        gw[gwo + j] = sw;
    }
    if (hasGb) {
        gb[gbo + j] = sb;
    }
}
