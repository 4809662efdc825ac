/*
 * Fused optimizer updates over strided views (one work-item per element, Layout operands as
 * documented per kernel).
 */

/*
 * One Adam/AdamW step (dev.tessera.spi.AdamSpec), the operations in the order of the CPU's fused
 * kernel (backend-cpu OptimKernels.adam); operands 0 = param, 1 = grad, 2 = expAvg, 3 = expAvgSq.
 * The host derives decay = decoupled ? 1 - lr*wd : 1, l2 = decoupled ? 0 : wd, c1 = 1 - beta1,
 * c2 = 1 - beta2, invBias2 = 1 / bias2Sqrt and step = -lr / bias1, as the CPU does.
 */
KERNEL void adam_update(Layout L, int n, GLOBAL float* param, GLOBAL const float* grad, GLOBAL float* expAvg,
                        GLOBAL float* expAvgSq, float decay, float l2, float b1, float b2, float c1, float c2,
                        float invBias2, float eps, float step) {
    int i = GID(0);
    if (i >= n) {
        return;
    }
    int po = layout_offset(&L, 0, i);
    int mo = layout_offset(&L, 2, i);
    int vo = layout_offset(&L, 3, i);
    float w = param[po] * decay;
    float d = grad[layout_offset(&L, 1, i)] + l2 * w;
    float mi = b1 * expAvg[mo] + c1 * d;
    float vi = b2 * expAvgSq[vo] + c2 * (d * d);
    expAvg[mo] = mi;
    expAvgSq[vo] = vi;
    param[po] = w + step * (mi / (sqrt(vi) * invBias2 + eps));
}

/* y (operand 1) += alpha * x (operand 0); x may be broadcast (stride 0). */
KERNEL void axpy(Layout L, int n, GLOBAL const float* x, float alpha, GLOBAL float* y) {
    int i = GID(0);
    if (i >= n) {
        return;
    }
    int yo = layout_offset(&L, 1, i);
    y[yo] += alpha * x[layout_offset(&L, 0, i)];
}
