package dev.tessera.spi;

/**
 * Layer normalization on a device of a {@link KernelBackend} (norm.c): one kernel for the forward
 * pass, one per row for the input gradient, one per column for the weight and bias gradients.
 */
final class KernelNorm {
    private static final String FILE = "norm.c";

    private KernelNorm() {
    }

    /** See {@link Backend#layerNorm}; writes {@code out}, {@code mean} and {@code rstd}. */
    static void layerNorm(KernelBackend<?> b, View x, View weight, View bias, float eps, View out, View mean, View rstd) {
        int rows = x.shape()[0];
        int n = x.shape()[1];
        if (rows == 0 || n == 0) {
            return;
        }
        KernelStorage xs = b.buffer(x, "layerNorm");
        b.kernels().launch1d(FILE, "layer_norm", rows, KernelLauncher.GROUP, rows, n, xs, x.offset(),
                weight == null ? xs : b.buffer(weight, "layerNorm"), offset(weight), stride(weight), weight == null ? 0 : 1,
                bias == null ? xs : b.buffer(bias, "layerNorm"), offset(bias), stride(bias), bias == null ? 0 : 1, eps,
                b.buffer(out, "layerNorm"), out.offset(), b.buffer(mean, "layerNorm"), mean.offset(),
                b.buffer(rstd, "layerNorm"), rstd.offset());
    }

    /** See {@link Backend#layerNormBackward}; writes those of {@code gradX}, {@code gradWeight}, {@code gradBias} not null. */
    static void layerNormBackward(KernelBackend<?> b, View x, View weight, View mean, View rstd, View gradOut, View gradX,
                                  View gradWeight, View gradBias) {
        int rows = x.shape()[0];
        int n = x.shape()[1];
        if (n == 0) {
            return;
        }
        String op = "layerNormBackward";
        KernelStorage xs = b.buffer(x, op);
        if (gradX != null && rows > 0) {
            b.kernels().launch1d(FILE, "layer_norm_backward_input", rows, KernelLauncher.GROUP, rows, n, xs, x.offset(),
                    weight == null ? xs : b.buffer(weight, op), offset(weight), stride(weight), weight == null ? 0 : 1,
                    b.buffer(mean, op), mean.offset(), b.buffer(rstd, op), rstd.offset(), b.buffer(gradOut, op),
                    gradOut.offset(), b.buffer(gradX, op), gradX.offset());
        }
        if (gradWeight != null || gradBias != null) {
            KernelStorage any = gradWeight != null ? b.buffer(gradWeight, op) : b.buffer(gradBias, op);
            b.kernels().launch1d(FILE, "layer_norm_backward_params", n, KernelLauncher.GROUP, rows, n, xs, x.offset(),
                    b.buffer(mean, op), mean.offset(), b.buffer(rstd, op), rstd.offset(), b.buffer(gradOut, op),
                    gradOut.offset(), gradWeight == null ? any : b.buffer(gradWeight, op), offset(gradWeight),
                    gradWeight == null ? 0 : 1, gradBias == null ? any : b.buffer(gradBias, op), offset(gradBias),
                    gradBias == null ? 0 : 1);
        }
    }

    private static int offset(View v) {
        return v == null ? 0 : v.offset();
    }

    private static int stride(View v) {
        return v == null ? 0 : v.strides()[0];
    }
}
