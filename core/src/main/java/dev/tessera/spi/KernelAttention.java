package dev.tessera.spi;

/**
 * Scaled dot-product attention and the softmax gradient on a device of a {@link KernelBackend}. Attention runs as
 * batched products on the backend's GEMM (one launch for every problem of the batch) around the
 * backend's softmax kernel, which scales and normalises the scores in place; its backward folds the
 * scale into the softmax gradient (softmax_backward.c). Nothing is read back to the host.
 */
final class KernelAttention {
    private static final int WG = KernelLauncher.GROUP; // SMB_WG in softmax_backward.c
    private static final String SMB = "softmax_backward.c";

    private KernelAttention() {
    }

    /** See {@link Backend#softmaxBackward}: writes {@code gx} ({@code gx} may be {@code g}). */
    static void softmaxBackward(KernelBackend<?> b, Storage y, int yOffset, Storage g, int gOffset, int outer, int n, int inner,
                                Storage gx, int gxOffset, boolean log) {
        softmaxBackward(b, y, yOffset, g, gOffset, outer, n, inner, gx, gxOffset, log, 1f, "softmaxBackward");
    }

    /** As {@link #softmaxBackward(KernelBackend, Storage, int, Storage, int, int, int, int, Storage, int, boolean)}, times {@code scale}. */
    private static void softmaxBackward(KernelBackend<?> b, Storage y, int yOffset, Storage g, int gOffset, int outer, int n,
                                        int inner, Storage gx, int gxOffset, boolean log, float scale, String op) {
        long lines = (long) outer * inner;
        if (lines == 0 || n == 0) {
            return;
        }
        Object[] args = {outer, n, inner, b.buffer(y, op), yOffset, b.buffer(g, op), gOffset,
            b.buffer(gx, op), gxOffset, log ? 1 : 0, scale};
        if (n >= KernelReductions.TREE_MIN_LINE) {
            b.kernels().launch(SMB, "softmax_backward_tree", new long[] {lines * WG}, new long[] {WG}, args);
        } else {
            b.kernels().launch1d(SMB, "softmax_backward_serial", lines, WG, args);
        }
    }

    /**
     * See {@link Backend#attention}: {@code probs = softmax(scale q k^T + bias)}, {@code out =
     * (probs * M) v}; writes {@code probs} and {@code out}. With dropout, one temporary of {@code
     * probs}' size for the dropped probabilities, released on return.
     */
    static void forward(KernelBackend<?> b, View q, View k, View v, float scale, View bias, AttentionDropout dropout,
                        View probs, View out) {
        View[] views = bias == null ? new View[] {q, k, v, probs, out} : new View[] {q, k, v, probs, out, bias};
        KernelViews.forEachRank3(views, x -> forward3(b, x[0], x[1], x[2], scale, bias == null ? null : x[5],
                ComposedAttention.partOf(dropout, probs, x[3]), x[3], x[4]));
    }

    private static void forward3(KernelBackend<?> b, View q, View k, View v, float scale, View bias,
                                 AttentionDropout dropout, View probs, View out) {
        int[] ps = probs.shape();
        b.matmul(q, KernelViews.transposed(k), probs, false);
        float softmaxScale = scale;
        if (bias != null) {
            // The bias adds to the scaled scores: scale first, then the softmax has nothing to fold.
            b.unary(UnaryOp.MUL_SCALAR, scale, probs, probs);
            b.binary(BinaryOp.ADD, probs, bias, probs);
            softmaxScale = 1f;
        }
        // softmax(scale * scores) in place: the scale folded into the softmax, no separate pass
        KernelReductions.softmax(b, probs.storage(), probs.offset(), ps[0] * ps[1], ps[2], 1, softmaxScale,
                probs.storage(), probs.offset(), false);
        if (dropout == null) {
            ComposedAttention.matmulInto(b, probs, v, out);
            return;
        }
        KernelStorage dropped = mask(b, dropout, ps, "attention");
        try {
            View p = KernelViews.contiguous(dropped, 0, ps);
            b.binary(BinaryOp.MUL, p, probs, p);
            ComposedAttention.matmulInto(b, p, v, out);
        } finally {
            dropped.release();
        }
    }

    /**
     * See {@link Backend#attentionBackward}: {@code dP = M (dO V^T)}, {@code gv = (P M)^T dO},
     * {@code dS = scale * softmax'(P) dP}, {@code gq = dS K}, {@code gk = dS^T Q}; writes {@code
     * gq}, {@code gk} and {@code gv}. One temporary of {@code probs}' size (two with dropout),
     * released on return.
     */
    static void backward(KernelBackend<?> b, View q, View k, View v, float scale, AttentionDropout dropout, View probs,
                         View gradOut, View gq, View gk, View gv) {
        KernelViews.forEachRank3(new View[] {q, k, v, probs, gradOut, gq, gk, gv},
                x -> backward3(b, x[0], x[1], x[2], scale, ComposedAttention.partOf(dropout, probs, x[3]), x[3], x[4],
                        x[5], x[6], x[7]));
    }

    private static void backward3(KernelBackend<?> b, View q, View k, View v, float scale, AttentionDropout dropout,
                                  View probs, View gradOut, View gq, View gk, View gv) {
        int[] ps = probs.shape();
        long size = (long) ps[0] * ps[1] * ps[2];
        KernelStorage ds = b.scratch(size, "attentionBackward");
        try {
            View dScores = KernelViews.contiguous(ds, 0, ps);
            b.matmul(gradOut, KernelViews.transposed(v), dScores, false);
            if (dropout == null) {
                ComposedAttention.matmulInto(b, KernelViews.transposed(probs), gradOut, gv);
            } else {
                KernelStorage m = mask(b, dropout, ps, "attentionBackward");
                try {
                    View mask = KernelViews.contiguous(m, 0, ps);
                    b.binary(BinaryOp.MUL, dScores, mask, dScores);
                    b.binary(BinaryOp.MUL, mask, probs, mask);
                    ComposedAttention.matmulInto(b, KernelViews.transposed(mask), gradOut, gv);
                } finally {
                    m.release();
                }
            }
            softmaxBackward(b, probs.storage(), probs.offset(), ds, 0, ps[0] * ps[1], ps[2], 1, ds, 0, false, scale,
                    "attentionBackward");
            ComposedAttention.matmulInto(b, dScores, k, gq);
            ComposedAttention.matmulInto(b, KernelViews.transposed(dScores), q, gk);
        } finally {
            ds.release();
        }
    }

    /** A device temporary of {@code shape}'s size holding the dropout's factors; the caller releases it. */
    private static KernelStorage mask(KernelBackend<?> b, AttentionDropout dropout, int[] shape, String op) {
        KernelStorage m = b.scratch((long) shape[0] * shape[1] * shape[2], op);
        b.fillDropoutMask(KernelViews.contiguous(m, 0, shape), dropout.state(), dropout.p(), dropout.keep());
        return m;
    }
}
