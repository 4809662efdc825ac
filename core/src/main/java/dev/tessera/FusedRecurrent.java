package dev.tessera;

import dev.tessera.spi.View;
import java.util.Arrays;

/**
 * Recurrent arithmetic as differentiable ops that backends run as fused kernels ({@link
 * dev.tessera.spi.Backend#lstmCell}, {@link dev.tessera.spi.Backend#gruCell}). The cell ops record
 * the gate activations and state updates of one step as one autograd node instead of a dozen; the
 * matrix products that produce their gates stay ordinary ops. The sequence ops run one direction
 * of a layer over a whole sequence as one node, products included.
 */
public final class FusedRecurrent {
    private FusedRecurrent() {
    }

    /**
     * One LSTM step from its gate pre-activations: with {@code pre = gates + hh} and its four
     * blocks i, f, g, o stacked along {@code dim}, returns {@code h' = sigmoid(o) tanh(c')} and
     * {@code c' = sigmoid(f) c + sigmoid(i) tanh(g)}, as {@code torch.nn.LSTMCell} computes them.
     * Recorded by autograd as one node; nothing passed in is modified.
     *
     * @param gates the input side, usually {@code W_ih x + b}: {@code [4H, B]} for {@code dim} 0,
     *              {@code [B, 4H]} for {@code dim} 1 (or -1)
     * @param hh    the hidden side {@code W_hh h} (shaped like {@code gates}), or null when {@code
     *              gates} already holds the sum or the previous state is zero
     * @param c     the previous cell state, {@code [H, B]} for {@code dim} 0, {@code [B, H]} for
     *              {@code dim} 1; null for zeros
     * @param dim   the dimension along which the gate blocks are stacked: 0, 1 or -1
     * @return {@code {h', c'}}, new tensors shaped like {@code c} would be
     * @throws IllegalArgumentException if {@code dim} is not one of 0, 1, -1, the shapes do not fit,
     *                                  a tensor is not FLOAT32 or they live on different devices;
     *                                  the message names the shapes
     */
    public static Tensor[] lstmCell(Tensor gates, Tensor hh, Tensor c, int dim) {
        int d = checkGates("lstmCell", gates, 4, dim);
        int hidden = gates.shape[d] / 4;
        int rows = d == 0 ? hidden : gates.shape[0];
        int cols = d == 0 ? gates.shape[1] : hidden;
        int[] state = {rows, cols};
        checkOperand("lstmCell", "hh", hh, gates, gates.shape);
        checkOperand("lstmCell", "c", c, gates, state);
        Tensor act = Kernels.empty(gates.backend, DType.FLOAT32, gates.shape);
        Tensor hc = Kernels.empty(gates.backend, DType.FLOAT32, new int[] {2, rows, cols});
        View cNext = block(hc, 1).view();
        gates.backend.lstmCell(gateView(gates, d, 4), hh == null ? null : gateView(hh, d, 4),
                c == null ? null : c.view(), gateView(act, d, 4), block(hc, 0).view(), cNext);
        // act is private to this node; c and the output are saved, so an in-place write to either fails backward.
        Tensor out = Autograd.record(hc, "lstmCell", Autograd.saved(c), (g, needs) -> {
            Tensor g2 = Kernels.contiguous(Kernels.asFloat(g));
            Tensor gGates = Kernels.empty(g.backend, DType.FLOAT32, gates.shape);
            Tensor gC = needs[2] ? Kernels.empty(g.backend, DType.FLOAT32, state) : null;
            g.backend.lstmCellBackward(gateView(act, d, 4), c == null ? null : c.view(), cNext, block(g2, 0).view(),
                    block(g2, 1).view(), gateView(gGates, d, 4), gC == null ? null : gC.view());
            return new Tensor[] {gGates, needs[1] ? gGates : null, gC};
        }, gates, hh, c);
        return new Tensor[] {out.select(0, 0), out.select(0, 1)};
    }

    /**
     * One direction of an LSTM layer over a whole batch of sequences, as one autograd node: per
     * step {@code gates = xp_t + W_hh h}, then {@link #lstmCell}; in backward the steps run in
     * reverse and the gradient of {@code W_hh} is formed by one matrix product over all steps.
     * Sequences are time-major columns: column {@code t * B + b} is step {@code t} of sequence
     * {@code b}. Nothing passed in is modified.
     *
     * <p>With {@code lengths}, sequences are padded at the end: at the steps {@code t >= lengths[b]}
     * sequence {@code b} keeps its state and outputs zeros, so its outputs and final states are those
     * of the sequence run alone (in reverse, it starts at its last real step).
     *
     * @param xp      the input side of every step's gates, {@code W_ih x + b_ih + b_hh}: {@code [4H,
     *                T * B]}, gate blocks i, f, g, o along dim 0
     * @param whh     the recurrent weight {@code [4H, H]}
     * @param h0      the initial hidden state {@code [H, B]}, or null for zeros
     * @param c0      the initial cell state {@code [H, B]}, or null for zeros
     * @param batch   the number of sequences B (at least 1)
     * @param reverse true to run from the last step to the first
     * @param lengths null, or the number of real steps of each sequence ({@code B} values in {@code
     *                [0, T]})
     * @return {@code {out [H, T * B], h_T [H, B], c_T [H, B]}}: every step's hidden state and the
     *         final states (views of one new tensor)
     * @throws IllegalArgumentException if the shapes, batch or lengths do not fit, a tensor is not
     *                                  FLOAT32 or they live on different devices; the message
     *                                  names the shapes or the length at fault
     */
    public static Tensor[] lstmSequence(Tensor xp, Tensor whh, Tensor h0, Tensor c0, int batch, boolean reverse,
            int[] lengths) {
        checkSequence("lstmSequence", 4, xp, whh, h0, batch, lengths);
        checkOperand("lstmSequence", "c0", c0, xp, new int[] {whh.shape[1], batch});
        return RecurrentSequence.lstm(xp, whh, h0, c0, batch, reverse, lengths);
    }

    /**
     * One GRU step from its gate products, as {@code torch.nn.GRUCell} computes it: with the blocks
     * r, z, n of {@code xg} and {@code hg} stacked along {@code dim}, returns {@code h' = n + z (h -
     * n)} for {@code r = sigmoid(x_r + h_r)}, {@code z = sigmoid(x_z + h_z)}, {@code n = tanh(x_n +
     * r h_n)}. Recorded by autograd as one node; nothing passed in is modified.
     *
     * @param xg  the input side {@code W_ih x + b_ih}: {@code [3H, B]} for {@code dim} 0, {@code
     *            [B, 3H]} for {@code dim} 1 (or -1)
     * @param hg  the hidden side {@code W_hh h + b_hh}, shaped like {@code xg}; null for zeros
     * @param h   the previous state, {@code [H, B]} for {@code dim} 0, {@code [B, H]} for {@code
     *            dim} 1; null for zeros
     * @param dim the dimension along which the gate blocks are stacked: 0, 1 or -1
     * @return the new state, a new tensor shaped like {@code h} would be
     * @throws IllegalArgumentException if {@code dim} is not one of 0, 1, -1, the shapes do not fit,
     *                                  a tensor is not FLOAT32 or they live on different devices;
     *                                  the message names the shapes
     */
    public static Tensor gruCell(Tensor xg, Tensor hg, Tensor h, int dim) {
        int d = checkGates("gruCell", xg, 3, dim);
        int hidden = xg.shape[d] / 3;
        int[] state = d == 0 ? new int[] {hidden, xg.shape[1]} : new int[] {xg.shape[0], hidden};
        checkOperand("gruCell", "hg", hg, xg, xg.shape);
        checkOperand("gruCell", "h", h, xg, state);
        int[] actShape = d == 0 ? new int[] {4 * hidden, xg.shape[1]} : new int[] {xg.shape[0], 4 * hidden};
        Tensor act = Kernels.empty(xg.backend, DType.FLOAT32, actShape);
        Tensor out = Kernels.empty(xg.backend, DType.FLOAT32, state);
        xg.backend.gruCell(gateView(xg, d, 3), hg == null ? null : gateView(hg, d, 3), h == null ? null : h.view(),
                gateView(act, d, 4), out.view());
        // act is private to this node; h is saved, so an in-place write to it fails backward.
        return Autograd.record(out, "gruCell", Autograd.saved(h), (g, needs) -> {
            Tensor gh = Kernels.contiguous(Kernels.asFloat(g));
            Tensor gXg = Kernels.empty(g.backend, DType.FLOAT32, xg.shape);
            Tensor gHg = needs[1] ? Kernels.empty(g.backend, DType.FLOAT32, xg.shape) : null;
            Tensor gH = needs[2] ? Kernels.empty(g.backend, DType.FLOAT32, state) : null;
            g.backend.gruCellBackward(gateView(act, d, 4), h == null ? null : h.view(), gh.view(), gateView(gXg, d, 3),
                    gateView(gHg == null ? Kernels.empty(g.backend, DType.FLOAT32, xg.shape) : gHg, d, 3),
                    gH == null ? null : gH.view());
            return new Tensor[] {gXg, gHg, gH};
        }, xg, hg, h);
    }

    /**
     * One direction of a GRU layer over a whole batch of sequences, as one autograd node: per step
     * the hidden side {@code W_hh h + b_hn} (the bias on the n block only), then {@link #gruCell};
     * in backward the steps run in reverse and the gradient of {@code W_hh} is formed by one matrix
     * product over all steps. Layout and {@code lengths} as for {@link #lstmSequence}. Nothing
     * passed in is modified.
     *
     * @param xp      the input side of every step's gates, {@code [3H, T * B]}, blocks r, z, n along
     *                dim 0: {@code W_ih x + b_ih}, with {@code b_hr} and {@code b_hz} already added
     *                to the r and z blocks
     * @param whh     the recurrent weight {@code [3H, H]}
     * @param bhn     the hidden-side bias of the n gate {@code [H]} (inside {@code r (W_hn h + b_hn)}),
     *                or null for none
     * @param h0      the initial state {@code [H, B]}, or null for zeros
     * @param batch   the number of sequences B (at least 1)
     * @param reverse true to run from the last step to the first
     * @param lengths null, or the number of real steps of each sequence ({@code B} values in {@code
     *                [0, T]})
     * @return {@code {out [H, T * B], h_T [H, B]}} (views of one new tensor)
     * @throws IllegalArgumentException if the shapes, batch or lengths do not fit, a tensor is not
     *                                  FLOAT32 or they live on different devices
     */
    public static Tensor[] gruSequence(Tensor xp, Tensor whh, Tensor bhn, Tensor h0, int batch, boolean reverse,
            int[] lengths) {
        checkSequence("gruSequence", 3, xp, whh, h0, batch, lengths);
        checkOperand("gruSequence", "bhn", bhn, xp, new int[] {whh.shape[1]});
        return RecurrentSequence.gru(xp, whh, bhn, h0, batch, reverse, lengths);
    }

    /** The checks shared by the sequence ops, for {@code gates} gate blocks. */
    private static void checkSequence(String op, int gates, Tensor xp, Tensor whh, Tensor h0, int batch, int[] lengths) {
        if (xp == null || whh == null) {
            throw new NullPointerException(op + ": xp and whh must not be null");
        }
        if (whh.dim() != 2 || whh.shape[0] != gates * whh.shape[1] || whh.shape[1] == 0) {
            throw new IllegalArgumentException(op + ": whh of shape " + Shape.str(whh.shape) + " must be [" + gates
                    + "H, H]");
        }
        int hidden = whh.shape[1];
        if (batch < 1 || xp.dim() != 2 || xp.shape[0] != gates * hidden || xp.shape[1] % batch != 0 || xp.shape[1] == 0) {
            throw new IllegalArgumentException(op + ": xp of shape " + Shape.str(xp.shape) + " must be [" + gates * hidden
                    + ", T * " + batch + "] (T >= 1 steps of " + batch + " sequences) for whh of shape "
                    + Shape.str(whh.shape));
        }
        if (xp.dtype != DType.FLOAT32) {
            throw new IllegalArgumentException(op + ": xp must be FLOAT32, got " + xp.dtype);
        }
        checkOperand(op, "whh", whh, xp, whh.shape);
        checkOperand(op, "h0", h0, xp, new int[] {hidden, batch});
        if (lengths != null) {
            int steps = xp.shape[1] / batch;
            if (lengths.length != batch) {
                throw new IllegalArgumentException(op + ": " + lengths.length + " lengths for " + batch + " sequences");
            }
            for (int b = 0; b < batch; b++) {
                if (lengths[b] < 0 || lengths[b] > steps) {
                    throw new IllegalArgumentException(op + ": length " + lengths[b] + " of sequence " + b
                            + " is outside [0, " + steps + "]");
                }
            }
        }
    }

    /** Checks a cell's gate tensor ({@code gates} blocks along {@code dim}); returns the normalised dim, 0 or 1. */
    private static int checkGates(String op, Tensor t, int gates, int dim) {
        if (t == null) {
            throw new NullPointerException(op + ": the gates must not be null");
        }
        if (dim != 0 && dim != 1 && dim != -1) {
            throw new IllegalArgumentException(op + ": dim must be 0, 1 or -1, got " + dim);
        }
        int d = dim == 0 ? 0 : 1;
        if (t.dim() != 2 || t.shape[d] % gates != 0) {
            throw new IllegalArgumentException(op + ": gates of shape " + Shape.str(t.shape) + " must be "
                    + (d == 0 ? "[" + gates + "H, B]" : "[B, " + gates + "H]") + " (" + gates + " gate blocks along dim "
                    + dim + ")");
        }
        if (t.dtype != DType.FLOAT32) {
            throw new IllegalArgumentException(op + ": gates must be FLOAT32, got " + t.dtype);
        }
        return d;
    }

    /** The {@code k} gate blocks of a 2-D tensor, stacked along {@code d}, as a {@code [k, R, C]} view. */
    private static View gateView(Tensor t, int d, int k) {
        int hidden = t.shape[d] / k;
        int[] shape = d == 0 ? new int[] {k, hidden, t.shape[1]} : new int[] {k, t.shape[0], hidden};
        return new View(t.storage, shape, new int[] {hidden * t.strides[d], t.strides[0], t.strides[1]}, t.offset);
    }

    /** Block {@code k} of a contiguous {@code [2, R, C]} tensor, without autograd. */
    private static Tensor block(Tensor t, int k) {
        int[] shape = {t.shape[1], t.shape[2]};
        return Kernels.restride(t, shape, Shape.contiguousStrides(shape), t.offset + k * shape[0] * shape[1]);
    }

    private static void checkOperand(String op, String name, Tensor t, Tensor first, int[] shape) {
        if (t == null) {
            return;
        }
        Kernels.requireSameDevice(op, first, t);
        if (!Arrays.equals(t.shape, shape)) {
            throw new IllegalArgumentException(op + ": " + name + " of shape " + Shape.str(t.shape) + " must be "
                    + Shape.str(shape) + " for " + (op.endsWith("Cell") ? "gates" : "xp") + " of shape "
                    + Shape.str(first.shape));
        }
        if (t.dtype != DType.FLOAT32) {
            throw new IllegalArgumentException(op + ": " + name + " must be FLOAT32, got " + t.dtype);
        }
    }
}
