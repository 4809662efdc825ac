package dev.tessera;

import dev.tessera.spi.Backend;
import dev.tessera.spi.BinaryOp;
import dev.tessera.spi.ReduceOp;
import dev.tessera.spi.Storage;
import dev.tessera.spi.View;

/**
 * One direction of an LSTM or GRU layer over a whole sequence as one autograd node, the way cuDNN
 * runs it: forward is one {@code W_hh h} product and one fused cell kernel per step; backward
 * walks the steps in reverse with one cell-backward kernel and one {@code W_hh^T} product each,
 * then forms the weight's gradient with a single product over all steps (every step's hidden-side
 * gate gradients times its previous state) instead of one thin product per step. See {@link
 * FusedRecurrent#lstmSequence} and {@link FusedRecurrent#gruSequence} for the contracts.
 *
 * <p>Layout: sequences are time-major columns, {@code [rows, T * B]} with column {@code t * B + b}
 * for step {@code t} of sequence {@code b}; each step is the column block {@code [rows, B]}. The
 * node's inputs are always {@code (xp, whh, h0, c0, bhn)}, null where a recurrence has none.
 */
final class RecurrentSequence {
    private final Backend be;
    private final boolean lstm;
    /** Gates per step: 4 for the LSTM, 3 for the GRU. */
    private final int gates;
    private final int hidden;
    private final int steps;
    private final int batch;
    private final boolean reverse;
    /** {@code [T, B]}, 1 where sequence b runs at step t, else 0; null without lengths. */
    private final Tensor masks;
    private final boolean[] padded;
    private final Storage zero;

    private RecurrentSequence(boolean lstm, Backend be, int hidden, int steps, int batch, boolean reverse,
            int[] lengths) {
        this.be = be;
        this.lstm = lstm;
        this.gates = lstm ? 4 : 3;
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
        this.zero = be.allocate(DType.FLOAT32, 1);
    }

    /** See {@link FusedRecurrent#lstmSequence}; the arguments are checked there. */
    static Tensor[] lstm(Tensor xp, Tensor whh, Tensor h0, Tensor c0, int batch, boolean reverse, int[] lengths) {
        return new RecurrentSequence(true, xp.backend, whh.shape[1], xp.shape[1] / batch, batch, reverse, lengths)
                .forward(xp, whh, h0, c0, null);
    }

    /** See {@link FusedRecurrent#gruSequence}; the arguments are checked there. */
    static Tensor[] gru(Tensor xp, Tensor whh, Tensor bhn, Tensor h0, int batch, boolean reverse, int[] lengths) {
        return new RecurrentSequence(false, xp.backend, whh.shape[1], xp.shape[1] / batch, batch, reverse, lengths)
                .forward(xp, whh, h0, null, bhn);
    }

    private Tensor[] forward(Tensor xp, Tensor whhIn, Tensor h0In, Tensor c0In, Tensor bhnIn) {
        // Compact operands (a state passed as a transposed view, say); the node's inputs stay the originals.
        Tensor whh = Kernels.contiguous(whhIn);
        Tensor h0 = h0In == null ? null : Kernels.contiguous(h0In);
        Tensor c0 = c0In == null ? null : Kernels.contiguous(c0In);
        int cols = steps * batch;
        int states = lstm ? 2 : 1;
        // out | final h (| final c), so that one node has all the outputs.
        Tensor packed = Kernels.uninitialised(be, DType.FLOAT32, new int[] {hidden, cols + states * batch});
        // What only backward reads is kept step by step, each step's block in one piece: the cell
        // kernels then read and write it without a new page per row. hPrevAll stays time-major, a
        // matrix for the weight's gradient, with zeros where the state is zero.
        Tensor act = stepMajor(4 * hidden); // LSTM: i, f, g, o; GRU: r, z, n and the hidden side's n
        Tensor hPrevAll = empty(hidden, cols);
        Tensor cNewAll = lstm ? stepMajor(hidden) : null;
        Tensor cPrevAll = lstm ? stepMajor(hidden) : null;
        View hh = empty(gates * hidden, batch).view();
        View bias = bhnIn == null ? null : hiddenBias(Kernels.contiguous(bhnIn));
        View[] spare = new View[4];
        View h = h0 == null ? null : h0.view();
        View c = c0 == null ? null : c0.view();
        for (int s = 0; s < steps; s++) {
            int t = time(s);
            View out = block(packed, t);
            if (h != null) {
                be.copy(h, block(hPrevAll, t));
            }
            View hg = hiddenSide(whh, h, bias, hh);
            View cNew = null;
            if (lstm) {
                cNew = step(cNewAll, t);
                if (c != null) {
                    be.copy(c, step(cPrevAll, t));
                }
                be.lstmCell(gateBlocks(block(xp, t), 4), hg == null ? null : gateBlocks(hg, 4), c,
                        gateBlocks(step(act, t), 4), out, cNew);
            } else {
                be.gruCell(gateBlocks(block(xp, t), 3), hg == null ? null : gateBlocks(hg, 3), h,
                        gateBlocks(step(act, t), 4), out);
            }
            if (padded[t]) {
                // Running sequences take the new state, padded ones keep theirs and output zeros.
                View m = mask(t, hidden);
                View hNext = spare(spare, 2 * (s & 1));
                be.where(m, out, h == null ? zeros(hidden) : h, hNext);
                if (lstm) {
                    View cNext = spare(spare, 2 * (s & 1) + 1);
                    be.where(m, cNew, c == null ? zeros(hidden) : c, cNext);
                    c = cNext;
                }
                be.where(m, out, zeros(hidden), out);
                h = hNext;
            } else {
                h = out;
                c = cNew;
            }
        }
        be.copy(h, block(packed, steps));
        if (lstm) {
            be.copy(c, block(packed, steps + 1));
        }
        Tensor result = Autograd.record(packed, lstm ? "lstmSequence" : "gruSequence", Autograd.saved(whh),
                (g, needs) -> backward(Kernels.contiguous(Kernels.asFloat(g)), whh, act, hPrevAll, cNewAll, cPrevAll,
                        h0 != null, c0 != null, needs),
                xp, whhIn, h0In, c0In, bhnIn);
        Autograd.releaseWithBackward(result, act, hPrevAll, cNewAll, cPrevAll, whh != whhIn ? whh : null);
        Tensor[] outs = new Tensor[1 + states];
        outs[0] = result.slice(1, 0, cols);
        for (int k = 0; k < states; k++) {
            outs[1 + k] = result.slice(1, cols + k * batch, cols + (k + 1) * batch);
        }
        return outs;
    }

    /**
     * The hidden side of a step's gates into {@code hh}: {@code W_hh h}, plus for the GRU {@code
     * b_hn} on its n block; null when it is all zeros (no state yet and no bias).
     */
    private View hiddenSide(Tensor whh, View h, View bias, View hh) {
        if (bias != null) {
            be.fill(hh, 0f);
            be.copy(bias, gateBlock(hh, 2));
        }
        if (h != null) {
            be.matmul(matrix(whh.view()), matrix(h), matrix(hh), bias != null);
        }
        return h == null && bias == null ? null : hh;
    }

    /** {@code b_hn [H]} seen as {@code [H, B]} (stride 0 along the batch). */
    private View hiddenBias(Tensor bhn) {
        return new View(bhn.storage, new int[] {hidden, batch}, new int[] {bhn.strides[0], 0}, bhn.offset);
    }

    private Tensor[] backward(Tensor g, Tensor whh, Tensor act, Tensor hPrevAll, Tensor cNewAll, Tensor cPrevAll,
            boolean hasH0, boolean hasC0, boolean[] needs) {
        int cols = steps * batch;
        Tensor dInput = Kernels.uninitialised(be, DType.FLOAT32, new int[] {gates * hidden, cols}); // of xp
        Tensor dHidden = lstm ? dInput : Kernels.uninitialised(be, DType.FLOAT32, new int[] {gates * hidden, cols});
        View dh = copyOf(block(g, steps));
        View dc = lstm ? copyOf(block(g, steps + 1)) : null;
        View dhNew = empty(hidden, batch).view();
        View dcMasked = lstm && masks != null ? empty(hidden, batch).view() : null;
        View dhPrev = empty(hidden, batch).view();
        View dcPrev = lstm ? empty(hidden, batch).view() : null;
        View whhT = matrix(new View(whh.storage, new int[] {hidden, gates * hidden}, new int[] {1, hidden}, whh.offset));
        for (int s = steps - 1; s >= 0; s--) {
            int t = time(s);
            boolean first = s == 0;
            View dIn = block(dInput, t);
            View dHid = block(dHidden, t);
            View m = padded[t] ? mask(t, hidden) : null;
            be.binary(BinaryOp.ADD, block(g, t), dh, dhNew);
            if (m != null) {
                be.where(m, dhNew, zeros(hidden), dhNew);
            }
            boolean wantDh = !first || hasH0 && needs[2];
            boolean wantDc = lstm && (!first || hasC0 && needs[3]);
            if (lstm) {
                View dcIn = dc;
                if (m != null) {
                    be.where(m, dc, zeros(hidden), dcMasked);
                    dcIn = dcMasked;
                }
                be.lstmCellBackward(gateBlocks(step(act, t), 4), first && !hasC0 ? null : step(cPrevAll, t),
                        step(cNewAll, t), dhNew, dcIn, gateBlocks(dIn, 4), wantDc ? dcPrev : null);
            } else {
                be.gruCellBackward(gateBlocks(step(act, t), 4), first && !hasH0 ? null : block(hPrevAll, t), dhNew,
                        gateBlocks(dIn, 3), gateBlocks(dHid, 3), wantDh ? dhPrev : null);
            }
            if (m != null) { // exact zeros, even where padding gave NaN
                View gateMask = mask(t, gates * hidden);
                be.where(gateMask, dIn, zeros(gates * hidden), dIn);
                if (!lstm) {
                    be.where(gateMask, dHid, zeros(gates * hidden), dHid);
                    if (wantDh) {
                        be.where(m, dhPrev, zeros(hidden), dhPrev);
                    }
                }
            }
            if (wantDh) { // the LSTM's dhPrev starts empty, the GRU's holds the part that skips W_hh
                be.matmul(whhT, matrix(dHid), matrix(dhPrev), !lstm);
            }
            if (m != null) { // padded sequences pass the state's gradient straight through
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
                if (lstm) {
                    swap = dc;
                    dc = dcPrev;
                    dcPrev = swap;
                }
            }
        }
        Tensor dWhh = null;
        if (needs[1]) {
            dWhh = empty(gates * hidden, hidden);
            View hPrevT = new View(hPrevAll.storage, new int[] {1, cols, hidden}, new int[] {0, 1, cols}, 0);
            be.matmul(matrix(dHidden.view()), hPrevT, matrix(dWhh.view()), false);
        }
        Tensor dBhn = null;
        if (needs[4]) { // b_hn adds to every column of the hidden side's n block
            dBhn = Kernels.empty(be, DType.FLOAT32, new int[] {hidden});
            be.reduce(ReduceOp.SUM, dHidden.storage, 2 * hidden * cols, hidden, cols, 1, dBhn.storage, 0);
        }
        return new Tensor[] {needs[0] ? dInput : null, dWhh, needs[2] ? tensor(dh) : null,
            needs[3] ? tensor(dc) : null, dBhn};
    }

    /** The time index of the {@code s}-th step processed. */
    private int time(int s) {
        return reverse ? steps - 1 - s : s;
    }

    /** A step-major buffer {@code [T, rows, B]} for {@link #step}, to be written in full. */
    private Tensor stepMajor(int rows) {
        return Kernels.uninitialised(be, DType.FLOAT32, new int[] {steps, rows, batch});
    }

    /** Step {@code t}'s block {@code [rows, B]} of a step-major buffer: compact, rows one after the other. */
    private View step(Tensor m, int t) {
        int rows = m.shape[1];
        return new View(m.storage, new int[] {rows, batch}, new int[] {batch, 1}, t * rows * batch);
    }

    private Tensor empty(int rows, int cols) {
        return Kernels.empty(be, DType.FLOAT32, new int[] {rows, cols});
    }

    private View spare(View[] spare, int i) {
        if (spare[i] == null) {
            spare[i] = empty(hidden, batch).view();
        }
        return spare[i];
    }

    /** Step {@code t}'s column block {@code [rows, B]} of a time-major {@code [rows, T * B]} tensor (or of the packed outputs). */
    private View block(Tensor m, int t) {
        return new View(m.storage, new int[] {m.shape[0], batch}, new int[] {m.strides[0], m.strides[1]},
                m.offset + t * batch * m.strides[1]);
    }

    /** A {@code [k * H, B]} block seen as its gate blocks {@code [k, H, B]}. */
    private View gateBlocks(View v, int k) {
        int[] st = v.strides();
        return new View(v.storage(), new int[] {k, hidden, batch}, new int[] {hidden * st[0], st[0], st[1]}, v.offset());
    }

    /** Gate block {@code k} {@code [H, B]} of a {@code [G * H, B]} block. */
    private View gateBlock(View v, int k) {
        int[] st = v.strides();
        return new View(v.storage(), new int[] {hidden, batch}, st, v.offset() + k * hidden * st[0]);
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
        return new View(zero, new int[] {rows, batch}, new int[] {0, 0}, 0);
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
