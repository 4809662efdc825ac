package dev.tessera;

import dev.tessera.spi.Backend;
import dev.tessera.spi.BinaryOp;
import dev.tessera.spi.View;

/**
 * One direction of an LSTM layer over a whole sequence as one autograd node, the way cuDNN runs
 * it: forward is one {@code W_hh h} product and one fused cell kernel per step; backward walks the
 * steps in reverse with one cell-backward kernel and one {@code W_hh^T dgates} product each, and
 * then forms the weight's gradient with a single product over all steps ({@code dgates} of every
 * step times every step's previous state), instead of one thin product per step. See {@link
 * FusedRecurrent#lstmSequence} for the contract.
 *
 * <p>Layout: sequences are time-major columns, {@code [rows, T * B]} with column {@code t * B + b}
 * for step {@code t} of sequence {@code b}; each step is the column block {@code [rows, B]}.
 */
final class LstmSequence {
    private final Backend be;
    private final int hidden;
    private final int steps;
    private final int batch;
    private final boolean reverse;
    /** Per step, null when every sequence runs there, else a {@code [rows, B]} 0/1 view (stride 0 along rows). */
    private final Tensor masks;
    private final boolean[] padded;
    private final View zero;

    private LstmSequence(Backend be, int hidden, int steps, int batch, boolean reverse, int[] lengths) {
        this.be = be;
        this.hidden = hidden;
        this.steps = steps;
        this.batch = batch;
        this.reverse = reverse;
        this.padded = new boolean[steps];
        if (lengths == null) {
            this.masks = null;
        } else {
            float[] m = new float[steps * batch];
            for (int t = 0; t < steps; t++) {
                for (int b = 0; b < batch; b++) {
                    m[t * batch + b] = t < lengths[b] ? 1f : 0f;
                    padded[t] |= t >= lengths[b];
                }
            }
            this.masks = new Tensor(be, be.upload(m), new int[] {steps, batch}, new int[] {batch, 1}, 0);
        }
        this.zero = new View(be.allocate(DType.FLOAT32, 1), new int[] {4 * hidden, batch}, new int[] {0, 0}, 0);
    }

    /** See {@link FusedRecurrent#lstmSequence}; the arguments are checked there. */
    static Tensor[] run(Tensor xp, Tensor whh, Tensor h0, Tensor c0, int batch, boolean reverse, int[] lengths) {
        int hidden = whh.shape[1];
        int steps = xp.shape[1] / batch;
        LstmSequence seq = new LstmSequence(xp.backend, hidden, steps, batch, reverse, lengths);
        return seq.forward(xp, whh, h0, c0);
    }

    private Tensor[] forward(Tensor xp, Tensor whhIn, Tensor h0In, Tensor c0In) {
        // Compact operands for the products (a state passed as a transposed view, say); the node's inputs stay the originals.
        Tensor whh = Kernels.contiguous(whhIn);
        Tensor h0 = h0In == null ? null : Kernels.contiguous(h0In);
        Tensor c0 = c0In == null ? null : Kernels.contiguous(c0In);
        int cols = steps * batch;
        // out | final h | final c, so that one node has all three outputs.
        Tensor packed = empty(hidden, cols + 2 * batch);
        Tensor act = empty(4 * hidden, cols);
        Tensor cNewAll = empty(hidden, cols);
        Tensor hPrevAll = empty(hidden, cols); // zeros where the state is zero
        Tensor cPrevAll = empty(hidden, cols);
        View hh = empty(4 * hidden, batch).view();
        View[] spare = masks == null ? null : new View[] {empty(hidden, batch).view(), empty(hidden, batch).view(),
            empty(hidden, batch).view(), empty(hidden, batch).view()};
        View h = h0 == null ? null : h0.view();
        View c = c0 == null ? null : c0.view();
        for (int s = 0; s < steps; s++) {
            int t = time(s);
            View out = block(packed, t);
            View cNew = block(cNewAll, t);
            if (h != null) {
                be.copy(h, block(hPrevAll, t));
                be.matmul(matrix(whh.view()), matrix(h), matrix(hh), false);
            }
            if (c != null) {
                be.copy(c, block(cPrevAll, t));
            }
            be.lstmCell(gates(block(xp, t)), h == null ? null : gates(hh), c, gates(block(act, t)), out, cNew);
            if (padded[t]) {
                // Running sequences take the new state, padded ones keep theirs and output zeros.
                View m = mask(t, hidden);
                View hNext = spare[2 * (s & 1)];
                View cNext = spare[2 * (s & 1) + 1];
                be.where(m, out, h == null ? zeros(hidden) : h, hNext);
                be.where(m, cNew, c == null ? zeros(hidden) : c, cNext);
                be.where(m, out, zeros(hidden), out);
                h = hNext;
                c = cNext;
            } else {
                h = out;
                c = cNew;
            }
        }
        be.copy(h, block(packed, steps));
        be.copy(c, block(packed, steps + 1));
        Tensor result = Autograd.record(packed, "lstmSequence", Autograd.saved(whh), (g, needs) ->
                backward(Kernels.contiguous(Kernels.asFloat(g)), whh, act, cNewAll, hPrevAll, cPrevAll, h0 != null,
                        c0 != null, needs), xp, whhIn, h0In, c0In);
        return new Tensor[] {result.slice(1, 0, cols), result.slice(1, cols, cols + batch),
            result.slice(1, cols + batch, cols + 2 * batch)};
    }

    private Tensor[] backward(Tensor g, Tensor whh, Tensor act, Tensor cNewAll, Tensor hPrevAll, Tensor cPrevAll,
            boolean hasH0, boolean hasC0, boolean[] needs) {
        int cols = steps * batch;
        Tensor dGates = empty(4 * hidden, cols);
        View dh = copyOf(block(g, steps));
        View dc = copyOf(block(g, steps + 1));
        View dhNew = empty(hidden, batch).view();
        View dcNew = masks == null ? null : empty(hidden, batch).view();
        View dhPrev = empty(hidden, batch).view();
        View dcPrev = empty(hidden, batch).view();
        View whhT = matrix(Kernels.restride(whh, new int[] {hidden, 4 * hidden}, new int[] {whh.strides[1],
            whh.strides[0]}, whh.offset).view());
        for (int s = steps - 1; s >= 0; s--) {
            int t = time(s);
            boolean first = s == 0;
            View dg = block(dGates, t);
            be.binary(BinaryOp.ADD, block(g, t), dh, dhNew);
            View dcIn = dc;
            if (padded[t]) {
                View m = mask(t, hidden);
                be.where(m, dhNew, zeros(hidden), dhNew);
                be.where(m, dc, zeros(hidden), dcNew);
                dcIn = dcNew;
            }
            boolean wantDc = !first || hasC0 && needs[3];
            boolean wantDh = !first || hasH0 && needs[2];
            be.lstmCellBackward(gates(block(act, t)), first && !hasC0 ? null : block(cPrevAll, t), block(cNewAll, t),
                    dhNew, dcIn, gates(dg), wantDc ? dcPrev : null);
            if (padded[t]) {
                be.where(mask(t, 4 * hidden), dg, zero, dg); // exact zeros, even where padding gave NaN
            }
            if (wantDh) {
                be.matmul(whhT, matrix(dg), matrix(dhPrev), false);
            }
            if (padded[t]) {
                // Padded sequences pass the state's gradient straight through.
                View m = mask(t, hidden);
                if (wantDh) {
                    be.where(m, dhPrev, dh, dh);
                }
                if (wantDc) {
                    be.where(m, dcPrev, dc, dc);
                }
            } else {
                View swap = dh;
                dh = dhPrev;
                dhPrev = swap;
                swap = dc;
                dc = dcPrev;
                dcPrev = swap;
            }
        }
        Tensor dWhh = null;
        if (needs[1]) {
            dWhh = empty(4 * hidden, hidden);
            View hPrevT = new View(hPrevAll.storage, new int[] {1, cols, hidden}, new int[] {0, 1, cols}, 0);
            be.matmul(matrix(dGates.view()), hPrevT, matrix(dWhh.view()), false);
        }
        return new Tensor[] {needs[0] ? dGates : null, dWhh, needs[2] ? tensor(dh) : null, needs[3] ? tensor(dc) : null};
    }

    /** The time index of the {@code s}-th step processed. */
    private int time(int s) {
        return reverse ? steps - 1 - s : s;
    }

    private Tensor empty(int rows, int cols) {
        return Kernels.empty(be, DType.FLOAT32, new int[] {rows, cols});
    }

    /** Step {@code t}'s column block {@code [rows, B]} of a time-major {@code [rows, T * B]} tensor (or of the packed outputs). */
    private View block(Tensor m, int t) {
        return new View(m.storage, new int[] {m.shape[0], batch}, new int[] {m.strides[0], m.strides[1]},
                m.offset + t * batch * m.strides[1]);
    }

    /** A {@code [4H, B]} block seen as its four gate blocks {@code [4, H, B]}. */
    private View gates(View v) {
        int[] st = v.strides();
        return new View(v.storage(), new int[] {4, hidden, batch}, new int[] {hidden * st[0], st[0], st[1]}, v.offset());
    }

    /** A 2-D view as the {@code [1, rows, cols]} operand of {@link Backend#matmul}. */
    private static View matrix(View v) {
        return new View(v.storage(), new int[] {1, v.shape()[0], v.shape()[1]}, new int[] {0, v.strides()[0],
            v.strides()[1]}, v.offset());
    }

    /** Step {@code t}'s mask broadcast to {@code [rows, B]}. */
    private View mask(int t, int rows) {
        return new View(masks.storage, new int[] {rows, batch}, new int[] {0, 1}, t * batch);
    }

    private View zeros(int rows) {
        return new View(zero.storage(), new int[] {rows, batch}, new int[] {0, 0}, 0);
    }

    private View copyOf(View v) {
        View out = empty(v.shape()[0], v.shape()[1]).view();
        be.copy(v, out);
        return out;
    }

    private Tensor tensor(View v) {
        return new Tensor(be, v.storage(), v.shape(), v.strides(), v.offset());
    }
}
