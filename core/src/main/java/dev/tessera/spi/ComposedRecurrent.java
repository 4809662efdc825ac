package dev.tessera.spi;

import dev.tessera.DType;
import dev.tessera.Shape;

/**
 * The default recurrent cell kernels of {@link Backend}, composed from its elementwise primitives.
 * Gate views are {@code [G, R, C]} (block {@code k} is gate {@code k}: i, f, g, o for the LSTM; r,
 * z, n for the GRU); state views are {@code [R, C]}. The order of operations is part of the contract: a backend's fused kernel that
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

    /** See {@link Backend#gruCell}. */
    static void gruCell(Backend b, View xg, View hg, View h, View act, View hOut) {
        View r = gate(act, 0);
        View z = gate(act, 1);
        View n = gate(act, 2);
        View hn = gate(act, 3);
        for (int k = 0; k < 2; k++) {
            if (hg != null) {
                b.binary(BinaryOp.ADD, gate(xg, k), gate(hg, k), gate(act, k));
            } else {
                b.copy(gate(xg, k), gate(act, k));
            }
        }
        b.unary(UnaryOp.SIGMOID, 0f, r, r);
        b.unary(UnaryOp.SIGMOID, 0f, z, z);
        if (hg != null) {
            b.copy(gate(hg, 2), hn);
        } else {
            b.fill(hn, 0f);
        }
        // n = tanh(x_n + r hn), h' = n + z (h - n); hOut holds the temporaries.
        b.binary(BinaryOp.MUL, r, hn, hOut);
        b.binary(BinaryOp.ADD, gate(xg, 2), hOut, n);
        b.unary(UnaryOp.TANH, 0f, n, n);
        if (h != null) {
            b.binary(BinaryOp.SUB, h, n, hOut);
        } else {
            b.unary(UnaryOp.NEG, 0f, n, hOut);
        }
        b.binary(BinaryOp.MUL, z, hOut, hOut);
        b.binary(BinaryOp.ADD, n, hOut, hOut);
    }

    /** See {@link Backend#gruCellBackward}. */
    static void gruCellBackward(Backend b, View act, View h, View gh, View gXg, View gHg, View gH) {
        View r = gate(act, 0);
        View z = gate(act, 1);
        View n = gate(act, 2);
        View hn = gate(act, 3);
        View u = temp(b, gh);
        View t = temp(b, gh);
        // the n pre-activation: gh (1 - z) (1 - n^2); the hidden side's n block also times r
        View gn = gate(gXg, 2);
        b.unary(UnaryOp.RSUB_SCALAR, 1f, z, u);
        b.binary(BinaryOp.MUL, gh, u, t);
        b.binary(BinaryOp.MUL, n, n, u);
        b.unary(UnaryOp.RSUB_SCALAR, 1f, u, u);
        b.binary(BinaryOp.MUL, t, u, gn);
        b.binary(BinaryOp.MUL, gn, r, gate(gHg, 2));
        // r: gn hn r (1 - r)
        View gr = gate(gXg, 0);
        sigmoidDerivative(b, r, u);
        b.binary(BinaryOp.MUL, gn, hn, gr);
        b.binary(BinaryOp.MUL, gr, u, gr);
        // z: gh (h - n) z (1 - z)
        View gz = gate(gXg, 1);
        if (h != null) {
            b.binary(BinaryOp.SUB, h, n, t);
        } else {
            b.unary(UnaryOp.NEG, 0f, n, t);
        }
        sigmoidDerivative(b, z, u);
        b.binary(BinaryOp.MUL, gh, t, gz);
        b.binary(BinaryOp.MUL, gz, u, gz);
        b.copy(gr, gate(gHg, 0));
        b.copy(gz, gate(gHg, 1));
        if (gH != null) {
            b.binary(BinaryOp.MUL, gh, z, gH);
        }
    }

    /** {@code u = (1 - y) y}, the derivative of the sigmoid whose value is {@code y}. */
    private static void sigmoidDerivative(Backend b, View y, View u) {
        b.unary(UnaryOp.RSUB_SCALAR, 1f, y, u);
        b.binary(BinaryOp.MUL, u, y, u);
    }
}
