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
    static void forward(Backend b, View q, View k, View v, float scale, View bias, AttentionDropout dropout, View probs,
                        View out) {
        View[] views = bias == null ? new View[] {q, k, v, probs, out} : new View[] {q, k, v, probs, out, bias};
        KernelViews.forEachRank3(views, x -> forward3(b, x[0], x[1], x[2], scale, bias == null ? null : x[5],
                partOf(dropout, probs, x[3]), x[3], x[4]));
    }

    private static void forward3(Backend b, View q, View k, View v, float scale, View bias, AttentionDropout dropout,
                                 View probs, View out) {
        int[] ps = probs.shape();
        View scores = temp(b, ps);
        b.matmul(q, KernelViews.transposed(k), scores, false);
        b.unary(UnaryOp.MUL_SCALAR, scale, scores, scores);
        if (bias != null) {
            b.binary(BinaryOp.ADD, scores, bias, scores);
        }
        b.softmax(scores.storage(), 0, ps[0] * ps[1], ps[2], 1, probs.storage(), probs.offset(), false);
        matmulInto(b, dropout == null ? probs : dropped(b, dropout, probs), v, out);
    }

    /** See {@link Backend#attentionBackward}. */
    static void backward(Backend b, View q, View k, View v, float scale, AttentionDropout dropout, View probs,
                         View gradOut, View gq, View gk, View gv) {
        KernelViews.forEachRank3(new View[] {q, k, v, probs, gradOut, gq, gk, gv},
                x -> backward3(b, x[0], x[1], x[2], scale, partOf(dropout, probs, x[3]), x[3], x[4], x[5], x[6], x[7]));
    }

    private static void backward3(Backend b, View q, View k, View v, float scale, AttentionDropout dropout, View probs,
                                  View gradOut, View gq, View gk, View gv) {
        int[] ps = probs.shape();
        View dScores = temp(b, ps);
        b.matmul(gradOut, KernelViews.transposed(v), dScores, false);
        if (dropout == null) {
            matmulInto(b, KernelViews.transposed(probs), gradOut, gv);
        } else {
            View mask = mask(b, dropout, ps);
            b.binary(BinaryOp.MUL, dScores, mask, dScores);
            b.binary(BinaryOp.MUL, mask, probs, mask);
            matmulInto(b, KernelViews.transposed(mask), gradOut, gv);
        }
        b.softmaxBackward(probs.storage(), probs.offset(), dScores.storage(), 0, ps[0] * ps[1], ps[2], 1,
                dScores.storage(), 0, false);
        matmulInto(b, dScores, k, gq);
        b.unary(UnaryOp.MUL_SCALAR, scale, gq, gq);
        matmulInto(b, KernelViews.transposed(dScores), q, gk);
        b.unary(UnaryOp.MUL_SCALAR, scale, gk, gk);
    }

    /**
     * The dropout of the problems {@code part} covers, a rank-3 piece of the contiguous {@code
     * probs}: its draw starts at the piece's first element. Null without dropout.
     */
    static AttentionDropout partOf(AttentionDropout dropout, View probs, View part) {
        return dropout == null ? null : dropout.from((long) part.offset() - probs.offset());
    }

    /** A new contiguous {@code shape} tensor of the dropout's factors (its element 0 is the draw's element 0). */
    static View mask(Backend b, AttentionDropout dropout, int[] shape) {
        View mask = temp(b, shape);
        b.fillDropoutMask(mask, dropout.state(), dropout.p(), dropout.keep());
        return mask;
    }

    /** {@code probs} times the dropout's factors, in a new temporary. */
    private static View dropped(Backend b, AttentionDropout dropout, View probs) {
        View mask = mask(b, dropout, probs.shape());
        b.binary(BinaryOp.MUL, mask, probs, mask);
        return mask;
    }
}
