package dev.tessera.spi;

import dev.tessera.DType;
import dev.tessera.Shape;

/** The default activation gradients of {@link Backend}, composed from its elementwise and reduction primitives. */
final class ComposedActivations {
    private ComposedActivations() {
    }

    /** See {@link Backend#softmaxBackward}. */
    static void softmaxBackward(Backend b, Storage y, int yOffset, Storage g, int gOffset, int outer, int n, int inner,
                                Storage gx, int gxOffset, boolean log) {
        int[] shape = {outer, n, inner};
        int[] strides = Shape.contiguousStrides(shape);
        View yv = new View(y, shape, strides, yOffset);
        View gv = new View(g, shape, strides, gOffset);
        View gxv = new View(gx, shape, strides, gxOffset);
        View t = new View(b.allocate(DType.FLOAT32, outer * n * inner), shape, strides, 0);
        Storage sum = b.allocate(DType.FLOAT32, outer * inner);
        // The per-line sums, seen at every position of their line (stride 0 along n).
        View sumAlongN = new View(sum, shape, new int[] {inner, 0, 1}, 0);
        if (log) {
            // gx = g - exp(y) * sum(g)
            b.reduce(ReduceOp.SUM, g, gOffset, outer, n, inner, sum, 0);
            b.unary(UnaryOp.EXP, 0f, yv, t);
            b.binary(BinaryOp.MUL, t, sumAlongN, t);
            b.binary(BinaryOp.SUB, gv, t, gxv);
        } else {
            // gx = y * (g - sum(g * y))
            b.binary(BinaryOp.MUL, gv, yv, t);
            b.reduce(ReduceOp.SUM, t.storage(), 0, outer, n, inner, sum, 0);
            b.binary(BinaryOp.SUB, gv, sumAlongN, t);
            b.binary(BinaryOp.MUL, yv, t, gxv);
        }
    }
}
