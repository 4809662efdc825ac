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

/*
 * One SGD step without momentum (dev.tessera.spi.SgdSpec); operands 0 = param, 1 = grad. wd is the
 * weight decay (0: none) and step = -lr; each term is rounded as the composed default rounds it.
 */
KERNEL void sgd_update(Layout L, int n, GLOBAL float* param, GLOBAL const float* grad, float wd, float step) {
    int i = GID(0);
    if (i >= n) {
        return;
    }
    int po = layout_offset(&L, 0, i);
    float d = grad[layout_offset(&L, 1, i)];
    if (wd != 0.0f) {
        float decay = param[po] * wd;
        d = d + decay;
    }
    float delta = step * d;
    param[po] = param[po] + delta;
}

/*
 * One SGD step with momentum; operands 0 = param, 1 = grad, 2 = the momentum buffer. keep = 1 -
 * dampening; first: the buffer takes the gradient; nesterov: the step uses d + mom * buffer.
 */
KERNEL void sgd_momentum_update(Layout L, int n, GLOBAL float* param, GLOBAL const float* grad, GLOBAL float* buf,
                                float wd, float mom, float keep, float step, int first, int nesterov) {
    int i = GID(0);
    if (i >= n) {
        return;
    }
    int po = layout_offset(&L, 0, i);
    int bo = layout_offset(&L, 2, i);
    float d = grad[layout_offset(&L, 1, i)];
    if (wd != 0.0f) {
        float decay = param[po] * wd;
        d = d + decay;
    }
    float b = d;
    if (!first) {
        float old = buf[bo] * mom;
        float fresh = keep * d;
        b = old + fresh;
    }
    buf[bo] = b;
    if (nesterov) {
        float ahead = b * mom;
        d = d + ahead;
    } else {
        d = b;
    }
    float delta = step * d;
    param[po] = param[po] + delta;
}
