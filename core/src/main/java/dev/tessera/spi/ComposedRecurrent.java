package dev.tessera.spi;

import dev.tessera.DType;
import dev.tessera.Shape;

/**
 * The default recurrent cell kernels of {@link Backend}, composed from its elementwise primitives.
 * Gate views are {@code [4, R, C]} (block {@code k} is gate {@code k}: i, f, g, o); state views are
 * {@code [R, C]}. The order of operations is part of the contract: a backend's fused kernel that
 * performs the same float operations in the same order gives the same bits.
 */
final class ComposedRecurrent {
    private ComposedRecurrent() {
    }

    /** Gate {@code k} of a {@code [4, R, C]} view, as an {@code [R, C]} view. */
    static View gate(View gates, int k) {
        int[] st = gates.strides();
        return new View(gates.storage(), new int[] {gates.shape()[1], gates.shape()[2]}, new int[] {st[1], st[2]},
                gates.offset() + k * st[0]);
    }

    private static View temp(Backend b, View like) {
        return new View(b.allocate(DType.FLOAT32, like.numel()), like.shape(), Shape.contiguousStrides(like.shape()), 0);
    }

    /** See {@link Backend#lstmCell}. */
    static void lstmCell(Backend b, View gates, View hh, View c, View act, View h, View cNext) {
        if (hh != null) {
            b.binary(BinaryOp.ADD, gates, hh, act);
        } else {
            b.copy(gates, act);
        }
        View i = gate(act, 0);
        View f = gate(act, 1);
        View g = gate(act, 2);
        View o = gate(act, 3);
        b.unary(UnaryOp.SIGMOID, 0f, i, i);
        b.unary(UnaryOp.SIGMOID, 0f, f, f);
        b.unary(UnaryOp.TANH, 0f, g, g);
        b.unary(UnaryOp.SIGMOID, 0f, o, o);
        // c' = f c + i g, h' = o tanh(c'); h holds f c meanwhile.
        b.binary(BinaryOp.MUL, i, g, cNext);
        if (c != null) {
            b.binary(BinaryOp.MUL, f, c, h);
            b.binary(BinaryOp.ADD, h, cNext, cNext);
        }
        b.unary(UnaryOp.TANH, 0f, cNext, h);
        b.binary(BinaryOp.MUL, o, h, h);
    }

    /** See {@link Backend#lstmCellBackward}. */
    static void lstmCellBackward(Backend b, View act, View c, View cNext, View gh, View gc, View gGates, View gC) {
        View i = gate(act, 0);
        View f = gate(act, 1);
        View g = gate(act, 2);
        View o = gate(act, 3);
        View tc = temp(b, gh);
        View u = temp(b, gh);
        View dc = temp(b, gh);
        b.unary(UnaryOp.TANH, 0f, cNext, tc);
        // dc = gc + gh o (1 - tc^2): the gradient reaching c' through h' and directly
        b.binary(BinaryOp.MUL, tc, tc, u);
        b.unary(UnaryOp.RSUB_SCALAR, 1f, u, u);
        b.binary(BinaryOp.MUL, u, o, u);
        b.binary(BinaryOp.MUL, u, gh, u);
        b.binary(BinaryOp.ADD, gc, u, dc);
        // each gate's pre-activation: the gate's gradient times its activation's derivative
        View go = gate(gGates, 3);
        sigmoidDerivative(b, o, u);
        b.binary(BinaryOp.MUL, gh, tc, go);
        b.binary(BinaryOp.MUL, go, u, go);
        View gi = gate(gGates, 0);
        sigmoidDerivative(b, i, u);
        b.binary(BinaryOp.MUL, dc, g, gi);
        b.binary(BinaryOp.MUL, gi, u, gi);
        View gg = gate(gGates, 2);
        b.binary(BinaryOp.MUL, g, g, u);
        b.unary(UnaryOp.RSUB_SCALAR, 1f, u, u);
        b.binary(BinaryOp.MUL, dc, i, gg);
        b.binary(BinaryOp.MUL, gg, u, gg);
        View gf = gate(gGates, 1);
        if (c != null) {
            sigmoidDerivative(b, f, u);
            b.binary(BinaryOp.MUL, dc, c, gf);
            b.binary(BinaryOp.MUL, gf, u, gf);
        } else {
            b.fill(gf, 0f);
        }
        if (gC != null) {
            b.binary(BinaryOp.MUL, dc, f, gC);
        }
    }

    /** {@code u = (1 - y) y}, the derivative of the sigmoid whose value is {@code y}. */
    private static void sigmoidDerivative(Backend b, View y, View u) {
        b.unary(UnaryOp.RSUB_SCALAR, 1f, y, u);
        b.binary(BinaryOp.MUL, u, y, u);
    }
}
