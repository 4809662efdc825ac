package dev.tessera.spi;

/**
 * Convolution on a device of a {@link KernelBackend}: im2col and col2im kernels (conv.c) around
 * the backend's batched GEMM. The batch is processed in chunks whose temporaries hold at most the
 * backend's {@link KernelBackend#convBudget()} floats; with one group each chunk is one GEMM launch
 * over its images, with several groups one launch per image over its groups (every group's matrices are equally spaced). The weight gradient of a chunk
 * is computed per image into a temporary and summed over the images in a fixed order, so results
 * are deterministic. Temporaries are released on return.
 *
 * <p>{@code x} may have any strides; {@code weight}, {@code gradOut}, {@code out}, {@code gradIn}
 * and {@code gradWeight} are contiguous (core passes them so).
 */
final class KernelConv {
    /** The default floats of temporaries per chunk of the batch (64 MiB); see {@link KernelBackend#convBudget()}. */
    static final long BUDGET = 16L << 20;
    private static final String FILE = "conv.c";

    private KernelConv() {
    }

    /** The ConvGeom struct of conv.c. */
    private static int[] geom(Conv2dSpec s) {
        return new int[] {s.batch(), s.inChannels(), s.height(), s.width(), s.kernelH(), s.kernelW(), s.strideH(),
            s.strideW(), s.padH(), s.padW(), s.dilationH(), s.dilationW(), s.outH(), s.outW(), 0, 0};
    }

    /** Images per chunk on {@code b} when each image needs {@code perImage} floats of temporaries. */
    private static int chunk(KernelBackend<?> b, Conv2dSpec s, long perImage) {
        return (int) Math.max(1, Math.min(s.batch(), b.convBudget() / Math.max(1, perImage)));
    }

    /** See {@link Backend#im2col}: writes {@code cols} (contiguous); {@code x} any strides. */
    static void im2col(KernelBackend<?> b, View x, Conv2dSpec s, View cols) {
        long n = (long) s.batch() * s.colRows() * s.colCols();
        b.kernels().launch1d(FILE, "im2col", n, KernelLauncher.GROUP, geom(s), KernelViews.nchw(x), b.buffer(x, "im2col"),
                b.buffer(cols, "im2col"), cols.offset());
    }

    /**
     * See {@link Backend#col2im}: adds into {@code x} (any strides) from {@code
     * cols} (contiguous); one work-item per element of {@code x}, no atomics.
     */
    static void col2im(KernelBackend<?> b, View cols, Conv2dSpec s, View x) {
        long n = (long) s.batch() * s.inChannels() * s.height() * s.width();
        b.kernels().launch1d(FILE, "col2im", n, KernelLauncher.GROUP, geom(s), KernelViews.nchw(x),
                b.buffer(cols, "col2im"), cols.offset(), b.buffer(x, "col2im"));
    }

    /** See {@link Backend#conv2d}: writes {@code out}. */
    static void conv2d(KernelBackend<?> b, View x, View weight, View bias, Conv2dSpec s, View out) {
        int oc = s.outChannels();
        int ocg = s.outPerGroup();
        int kg = s.inPerGroup() * s.kernelSize();
        int l = s.colCols();
        int rows = s.colRows();
        int groups = s.groups();
        int step = chunk(b, s, (long) rows * l);
        KernelStorage cols = b.scratch((long) step * rows * l, "conv2d");
        try {
            for (int n0 = 0; n0 < s.batch(); n0 += step) {
                int nb = Math.min(step, s.batch() - n0);
                im2col(b, KernelViews.images(x, n0, nb), s.withBatch(nb), KernelViews.contiguous(cols, 0, nb, rows, l));
                int o0 = out.offset() + n0 * oc * l;
                if (groups == 1) {
                    b.matmul(KernelViews.matrix(weight.storage(), weight.offset(), nb, 0, oc, kg, kg, 1),
                            KernelViews.matrix(cols, 0, nb, rows * l, kg, l, l, 1),
                            KernelViews.contiguous(out.storage(), o0, nb, oc, l), false);
                } else {
                    for (int i = 0; i < nb; i++) {
                        b.matmul(KernelViews.matrix(weight.storage(), weight.offset(), groups, ocg * kg, ocg, kg, kg, 1),
                                KernelViews.matrix(cols, i * rows * l, groups, kg * l, kg, l, l, 1),
                                KernelViews.contiguous(out.storage(), o0 + i * oc * l, groups, ocg, l), false);
                    }
                }
                if (bias != null) {
                    int n = nb * oc * l;
                    b.kernels().launch1d(FILE, "bias_add", n, KernelLauncher.GROUP, n, oc, l, b.buffer(bias, "conv2d"),
                            bias.offset(), bias.strides()[0], b.buffer(out, "conv2d"), o0);
                }
            }
        } finally {
            cols.release();
        }
    }

    /** See {@link Backend#conv2dBackwardInput}: adds {@code col2im(W^T dY)} into {@code gradIn}. */
    static void backwardInput(KernelBackend<?> b, View gradOut, View weight, Conv2dSpec s, View gradIn) {
        int oc = s.outChannels();
        int ocg = s.outPerGroup();
        int kg = s.inPerGroup() * s.kernelSize();
        int l = s.colCols();
        int rows = s.colRows();
        int groups = s.groups();
        int step = chunk(b, s, (long) rows * l);
        KernelStorage cols = b.scratch((long) step * rows * l, "conv2dBackwardInput");
        try {
            for (int n0 = 0; n0 < s.batch(); n0 += step) {
                int nb = Math.min(step, s.batch() - n0);
                int g0 = gradOut.offset() + n0 * oc * l;
                if (groups == 1) {
                    // cols[n] = W^T dY[n]: the weight seen column-major
                    b.matmul(KernelViews.matrix(weight.storage(), weight.offset(), nb, 0, kg, oc, 1, kg),
                            KernelViews.matrix(gradOut.storage(), g0, nb, oc * l, oc, l, l, 1),
                            KernelViews.contiguous(cols, 0, nb, rows, l), false);
                } else {
                    for (int i = 0; i < nb; i++) {
                        b.matmul(KernelViews.matrix(weight.storage(), weight.offset(), groups, ocg * kg, kg, ocg, 1, kg),
                                KernelViews.matrix(gradOut.storage(), g0 + i * oc * l, groups, ocg * l, ocg, l, l, 1),
                                KernelViews.contiguous(cols, i * rows * l, groups, kg, l), false);
                    }
                }
                col2im(b, KernelViews.contiguous(cols, 0, nb, rows, l), s.withBatch(nb), KernelViews.images(gradIn, n0, nb));
            }
        } finally {
            cols.release();
        }
    }

    /**
     * See {@link Backend#conv2dBackwardWeight}: adds {@code sum_n dY[n] cols[n]^T}
     * (per group) into {@code gradWeight}, the images' products summed in order of the image.
     */
    static void backwardWeight(KernelBackend<?> b, View x, View gradOut, Conv2dSpec s, View gradWeight) {
        int oc = s.outChannels();
        int ocg = s.outPerGroup();
        int kg = s.inPerGroup() * s.kernelSize();
        int l = s.colCols();
        int rows = s.colRows();
        int groups = s.groups();
        int wlen = oc * kg;
        int step = chunk(b, s, (long) rows * l + wlen);
        KernelStorage cols = b.scratch((long) step * rows * l, "conv2dBackwardWeight");
        KernelStorage parts = b.scratch((long) step * wlen, "conv2dBackwardWeight");
        try {
            for (int n0 = 0; n0 < s.batch(); n0 += step) {
                int nb = Math.min(step, s.batch() - n0);
                im2col(b, KernelViews.images(x, n0, nb), s.withBatch(nb), KernelViews.contiguous(cols, 0, nb, rows, l));
                int g0 = gradOut.offset() + n0 * oc * l;
                if (groups == 1) {
                    b.matmul(KernelViews.matrix(gradOut.storage(), g0, nb, oc * l, oc, l, l, 1),
                            KernelViews.matrix(cols, 0, nb, rows * l, l, kg, 1, l),
                            KernelViews.contiguous(parts, 0, nb, oc, kg), false);
                } else {
                    for (int i = 0; i < nb; i++) {
                        b.matmul(KernelViews.matrix(gradOut.storage(), g0 + i * oc * l, groups, ocg * l, ocg, l, l, 1),
                                KernelViews.matrix(cols, i * rows * l, groups, kg * l, l, kg, 1, l),
                                KernelViews.contiguous(parts, i * wlen, groups, ocg, kg), false);
                    }
                }
                b.kernels().launch1d(FILE, "sum_batches_add", wlen, KernelLauncher.GROUP, nb, wlen, parts,
                        b.buffer(gradWeight, "conv2dBackwardWeight"), gradWeight.offset());
            }
        } finally {
            cols.release();
            parts.release();
        }
    }
}
