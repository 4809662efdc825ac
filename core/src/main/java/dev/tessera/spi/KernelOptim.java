package dev.tessera.spi;

/** Fused optimizer updates on a device of a {@link KernelBackend} (optim.c): one kernel, one pass over the parameter and its state. */
final class KernelOptim {
    private static final String FILE = "optim.c";

    private KernelOptim() {
    }

    /**
     * One Adam/AdamW step in place (see {@link Backend#adamUpdate}): modifies
     * {@code param}, {@code expAvg} and {@code expAvgSq} (any strides, one shape with {@code grad}).
     * The scalars are derived here exactly as the CPU's fused kernel derives them.
     */
    static void adam(KernelBackend<?> b, View param, View grad, View expAvg, View expAvgSq, AdamSpec s) {
        float decay = s.decoupled() ? 1f - s.lr() * s.weightDecay() : 1f;
        float l2 = s.decoupled() ? 0f : s.weightDecay();
        float c1 = 1f - s.beta1();
        float c2 = 1f - s.beta2();
        float invBias2 = 1f / s.bias2Sqrt();
        float step = -s.lr() / s.bias1();
        b.kernels().launchStrided(FILE, "adam_update", param.shape(), KernelLayout.strides(param, grad, expAvg, expAvgSq),
                KernelLayout.offsets(param, grad, expAvg, expAvgSq), b.buffer(param, "adamUpdate"),
                b.buffer(grad, "adamUpdate"), b.buffer(expAvg, "adamUpdate"),
                b.buffer(expAvgSq, "adamUpdate"), decay, l2, s.beta1(), s.beta2(), c1, c2, invBias2, s.eps(), step);
    }

    /**
     * One SGD step in place (see {@link Backend#sgdUpdate}): modifies {@code param} and, unless
     * null, {@code buffer} (any strides, one shape with {@code grad}).
     */
    static void sgd(KernelBackend<?> b, View param, View grad, View buffer, SgdSpec s) {
        if (buffer == null) {
            b.kernels().launchStrided(FILE, "sgd_update", param.shape(), KernelLayout.strides(param, grad),
                    KernelLayout.offsets(param, grad), b.buffer(param, "sgdUpdate"), b.buffer(grad, "sgdUpdate"),
                    s.weightDecay(), -s.lr());
        } else {
            b.kernels().launchStrided(FILE, "sgd_momentum_update", param.shape(), KernelLayout.strides(param, grad, buffer),
                    KernelLayout.offsets(param, grad, buffer), b.buffer(param, "sgdUpdate"), b.buffer(grad, "sgdUpdate"),
                    b.buffer(buffer, "sgdUpdate"), s.weightDecay(), s.momentum(), 1f - s.dampening(), -s.lr(),
                    s.firstStep() ? 1 : 0, s.nesterov() ? 1 : 0);
        }
    }

    /** {@code y += alpha * x} in place (see {@link Backend#axpy}); modifies {@code y}. */
    static void axpy(KernelBackend<?> b, View x, float alpha, View y) {
        b.kernels().launchStrided(FILE, "axpy", y.shape(), KernelLayout.strides(x, y), KernelLayout.offsets(x, y),
                b.buffer(x, "axpy"), alpha, b.buffer(y, "axpy"));
    }
}
