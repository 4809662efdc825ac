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

    /** See {@link Backend#attention}. */
    static void forward(Backend b, View q, View k, View v, float scale, View probs, View out) {
        int[] ps = probs.shape();
        View scores = temp(b, ps);
        b.matmul(q, KernelViews.transposed(k), scores, false);
        b.unary(UnaryOp.MUL_SCALAR, scale, scores, scores);
        b.softmax(scores.storage(), 0, ps[0] * ps[1], ps[2], 1, probs.storage(), probs.offset(), false);
        b.matmul(probs, v, out, false);
    }

    /** See {@link Backend#attentionBackward}. */
    static void backward(Backend b, View q, View k, View v, float scale, View probs, View gradOut, View gq, View gk,
                         View gv) {
        int[] ps = probs.shape();
        b.matmul(KernelViews.transposed(probs), gradOut, gv, false);
        View dScores = temp(b, ps);
        b.matmul(gradOut, KernelViews.transposed(v), dScores, false);
        b.softmaxBackward(probs.storage(), probs.offset(), dScores.storage(), 0, ps[0] * ps[1], ps[2], 1,
                dScores.storage(), 0, false);
        b.matmul(dScores, k, gq, false);
        b.unary(UnaryOp.MUL_SCALAR, scale, gq, gq);
        b.matmul(KernelViews.transposed(dScores), q, gk, false);
        b.unary(UnaryOp.MUL_SCALAR, scale, gk, gk);
    }
}
