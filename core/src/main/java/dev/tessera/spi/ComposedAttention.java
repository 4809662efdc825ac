package dev.tessera.spi;

import dev.tessera.DType;
import dev.tessera.Shape;

/** The default attention kernels of {@link Backend}, composed from matmul, unary and softmax primitives. */
final class ComposedAttention {
    private ComposedAttention() {
    }

    private static View temp(Backend b, int... shape) {
        return new View(b.allocate(DType.FLOAT32, Shape.numel(shape)), shape, Shape.contiguousStrides(shape), 0);
    }

    /**
     * {@code c = x y}: straight into {@code c} when it is contiguous, as matmul requires, else
     * through a contiguous temporary copied into it (results laid out like the query; see {@link
     * Backend#attention}).
     */
    static void matmulInto(Backend b, View x, View y, View c) {
        if (c.isContiguous()) {
            b.matmul(x, y, c, false);
            return;
        }
        View t = KernelViews.contiguous(b.allocateUninitialised(DType.FLOAT32, c.numel()), 0, c.shape());
        try {
            b.matmul(x, y, t, false);
            b.copy(t, c);
        } finally {
            t.storage().release();
        }
    }

    /** See {@link Backend#attention}. */
    static void forward(Backend b, View q, View k, View v, float scale, View probs, View out) {
        KernelViews.forEachRank3(new View[] {q, k, v, probs, out}, x -> forward3(b, x[0], x[1], x[2], scale, x[3], x[4]));
    }

    private static void forward3(Backend b, View q, View k, View v, float scale, View probs, View out) {
        int[] ps = probs.shape();
        View scores = temp(b, ps);
        b.matmul(q, KernelViews.transposed(k), scores, false);
        b.unary(UnaryOp.MUL_SCALAR, scale, scores, scores);
        b.softmax(scores.storage(), 0, ps[0] * ps[1], ps[2], 1, probs.storage(), probs.offset(), false);
        matmulInto(b, probs, v, out);
    }

    /** See {@link Backend#attentionBackward}. */
    static void backward(Backend b, View q, View k, View v, float scale, View probs, View gradOut, View gq, View gk,
                         View gv) {
        KernelViews.forEachRank3(new View[] {q, k, v, probs, gradOut, gq, gk, gv},
                x -> backward3(b, x[0], x[1], x[2], scale, x[3], x[4], x[5], x[6], x[7]));
    }

    private static void backward3(Backend b, View q, View k, View v, float scale, View probs, View gradOut, View gq,
                                  View gk, View gv) {
        int[] ps = probs.shape();
        matmulInto(b, KernelViews.transposed(probs), gradOut, gv);
        View dScores = temp(b, ps);
        b.matmul(gradOut, KernelViews.transposed(v), dScores, false);
        b.softmaxBackward(probs.storage(), probs.offset(), dScores.storage(), 0, ps[0] * ps[1], ps[2], 1,
                dScores.storage(), 0, false);
        matmulInto(b, dScores, k, gq);
        b.unary(UnaryOp.MUL_SCALAR, scale, gq, gq);
        matmulInto(b, KernelViews.transposed(dScores), q, gk);
        b.unary(UnaryOp.MUL_SCALAR, scale, gk, gk);
    }
}
