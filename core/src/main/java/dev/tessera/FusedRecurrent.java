package dev.tessera;

import dev.tessera.spi.View;
import java.util.Arrays;

/**
 * Recurrent cell arithmetic as one differentiable op each, which a backend runs as one kernel
 * ({@link dev.tessera.spi.Backend#lstmCell}): the gate activations and state updates of a step
 * record one autograd node instead of a dozen, and allocate two tensors instead of a dozen. The
 * matrix products that produce the gates stay ordinary ops, so their gradients take the usual
 * (GEMM) path.
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
        if (gates == null) {
            throw new NullPointerException("lstmCell: gates must not be null");
        }
        if (dim != 0 && dim != 1 && dim != -1) {
            throw new IllegalArgumentException("lstmCell: dim must be 0, 1 or -1, got " + dim);
        }
        int d = dim == 0 ? 0 : 1;
        if (gates.dim() != 2 || gates.shape[d] % 4 != 0) {
            throw new IllegalArgumentException("lstmCell: gates of shape " + Shape.str(gates.shape) + " must be "
                    + (d == 0 ? "[4H, B]" : "[B, 4H]") + " (four gate blocks along dim " + dim + ")");
        }
        if (gates.dtype != DType.FLOAT32) {
            throw new IllegalArgumentException("lstmCell: gates must be FLOAT32, got " + gates.dtype);
        }
        int hidden = gates.shape[d] / 4;
        int rows = d == 0 ? hidden : gates.shape[0];
        int cols = d == 0 ? gates.shape[1] : hidden;
        int[] state = {rows, cols};
        checkOperand("lstmCell", "hh", hh, gates, gates.shape);
        checkOperand("lstmCell", "c", c, gates, state);
        Tensor act = Kernels.empty(gates.backend, DType.FLOAT32, gates.shape);
        Tensor hc = Kernels.empty(gates.backend, DType.FLOAT32, new int[] {2, rows, cols});
        View cNext = block(hc, 1).view();
        gates.backend.lstmCell(gateView(gates, d), hh == null ? null : gateView(hh, d), c == null ? null : c.view(),
                gateView(act, d), block(hc, 0).view(), cNext);
        // act is private to this node; c and the output are saved, so an in-place write to either fails backward.
        Tensor out = Autograd.record(hc, "lstmCell", Autograd.saved(c), (g, needs) -> {
            Tensor g2 = Kernels.contiguous(Kernels.asFloat(g));
            Tensor gGates = Kernels.empty(g.backend, DType.FLOAT32, gates.shape);
            Tensor gC = needs[2] ? Kernels.empty(g.backend, DType.FLOAT32, state) : null;
            g.backend.lstmCellBackward(gateView(act, d), c == null ? null : c.view(), cNext, block(g2, 0).view(),
                    block(g2, 1).view(), gateView(gGates, d), gC == null ? null : gC.view());
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
        if (xp == null || whh == null) {
            throw new NullPointerException("lstmSequence: xp and whh must not be null");
        }
        if (whh.dim() != 2 || whh.shape[0] != 4 * whh.shape[1] || whh.shape[1] == 0) {
            throw new IllegalArgumentException("lstmSequence: whh of shape " + Shape.str(whh.shape) + " must be [4H, H]");
        }
        int hidden = whh.shape[1];
        if (batch < 1 || xp.dim() != 2 || xp.shape[0] != 4 * hidden || xp.shape[1] % batch != 0 || xp.shape[1] == 0) {
            throw new IllegalArgumentException("lstmSequence: xp of shape " + Shape.str(xp.shape) + " must be [" + 4 * hidden
                    + ", T * " + batch + "] (T >= 1 steps of " + batch + " sequences) for whh of shape "
                    + Shape.str(whh.shape));
        }
        int steps = xp.shape[1] / batch;
        int[] state = {hidden, batch};
        if (xp.dtype != DType.FLOAT32) {
            throw new IllegalArgumentException("lstmSequence: xp must be FLOAT32, got " + xp.dtype);
        }
        checkOperand("lstmSequence", "whh", whh, xp, whh.shape);
        checkOperand("lstmSequence", "h0", h0, xp, state);
        checkOperand("lstmSequence", "c0", c0, xp, state);
        if (lengths != null) {
            if (lengths.length != batch) {
                throw new IllegalArgumentException("lstmSequence: " + lengths.length + " lengths for " + batch + " sequences");
            }
            for (int b = 0; b < batch; b++) {
                if (lengths[b] < 0 || lengths[b] > steps) {
                    throw new IllegalArgumentException("lstmSequence: length " + lengths[b] + " of sequence " + b
                            + " is outside [0, " + steps + "]");
                }
            }
        }
        return LstmSequence.run(xp, whh, h0, c0, batch, reverse, lengths);
    }

    /** Gate blocks of a 2-D tensor stacked along {@code d}, as a {@code [4, R, C]} view. */
    private static View gateView(Tensor t, int d) {
        int hidden = t.shape[d] / 4;
        int[] shape = d == 0 ? new int[] {4, hidden, t.shape[1]} : new int[] {4, t.shape[0], hidden};
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
                    + Shape.str(shape) + " for " + (op.equals("lstmCell") ? "gates" : "xp") + " of shape "
                    + Shape.str(first.shape));
        }
        if (t.dtype != DType.FLOAT32) {
            throw new IllegalArgumentException(op + ": " + name + " must be FLOAT32, got " + t.dtype);
        }
    }
}
