package dev.tessera.nn;

import dev.tessera.FusedRecurrent;
import dev.tessera.Tensor;

/**
 * One time step of each recurrence, written with tensor ops so autograd differentiates it; shared
 * by the cells ({@link LSTMCell}, {@link GRUCell}, {@link RNNCell}) and the sequence layers ({@link
 * LSTM}, {@link GRU}, {@link RNN}). Each step records only a handful of nodes over {@code [batch,
 * gates * hidden]} (the LSTM's gate arithmetic is one fused node), so backward through time
 * costs one small GEMM pair and a few elementwise kernels per step. Nothing passed in is modified.
 */
final class RecurrentSteps {
    private RecurrentSteps() {
    }

    /**
     * The LSTM step: with {@code gates = W_ih x + b_ih + W_hh h + b_hh} ({@code [B, 4H]}, blocks i,
     * f, g, o; {@code hh} holds the {@code W_hh h} part when it is not already added in), {@code c'
     * = sigmoid(f) c + sigmoid(i) tanh(g)} and {@code h' = sigmoid(o) tanh(c')}, as one fused op
     * ({@link FusedRecurrent#lstmCell}). With {@code dim} 0 everything is transposed: gates {@code
     * [4H, B]}, states {@code [H, B]}.
     *
     * @param hh  null, or the hidden side of the gates, shaped like {@code gates}
     * @param c   the previous cell state, or null for zeros
     * @param dim the dimension along which the gate blocks are stacked (-1 or 0)
     * @return {@code {h', c'}}
     */
    static Tensor[] lstm(Tensor gates, Tensor hh, Tensor c, int dim) {
        return FusedRecurrent.lstmCell(gates, hh, c, dim);
    }

    /**
     * The GRU step, as PyTorch: {@code r = sigmoid(x_r + h_r)}, {@code z = sigmoid(x_z + h_z)},
     * {@code n = tanh(x_n + r (h_n + b_hn))}, {@code h' = n + z (h - n)} (that is {@code (1 - z) n
     * + z h}).
     *
     * @param xGates {@code W_ih x + b_ih} ({@code [B, 3H]}, blocks r, z, n), possibly with {@code
     *               b_hr, b_hz} already added to its r and z blocks
     * @param hGates {@code W_hh h} ({@code [B, 3H]}), with the whole {@code b_hh} added or, when
     *               {@code bhn} is given, without it; null when {@code h} is null
     * @param bhn    null, or {@code b_hn} ({@code [H]}) to add to the n block of {@code hGates}
     * @param h      the previous state {@code [B, H]}, or null for zeros
     * @param dim    the dimension along which the gate blocks are stacked: -1 for {@code [B, 3H]}
     *               (then {@code h} is {@code [B, H]}), 0 for the transposed {@code [3H, B]} (then
     *               {@code h} is {@code [H, B]} and {@code bhn} {@code [H, 1]})
     * @return the new state, shaped like {@code h}
     */
    static Tensor gru(Tensor xGates, Tensor hGates, Tensor bhn, Tensor h, int hidden, int dim) {
        Tensor xrz = xGates.slice(dim, 0, 2 * hidden);
        Tensor rz = (hGates == null ? xrz : xrz.add(hGates.slice(dim, 0, 2 * hidden))).sigmoid();
        Tensor r = rz.slice(dim, 0, hidden);
        Tensor z = rz.slice(dim, hidden, 2 * hidden);
        Tensor hn = hGates == null ? bhn : bhn == null ? hGates.slice(dim, 2 * hidden, 3 * hidden)
                : hGates.slice(dim, 2 * hidden, 3 * hidden).add(bhn);
        Tensor xn = xGates.slice(dim, 2 * hidden, 3 * hidden);
        Tensor n = (hn == null ? xn : xn.add(r.mul(hn))).tanh();
        return n.add(z.mul(h == null ? n.neg() : h.sub(n)));
    }

    /** The Elman step {@code h' = act(pre)} (a new tensor) for {@code pre = W_ih x + b_ih + W_hh h + b_hh}, with tanh or relu. */
    static Tensor rnn(Tensor pre, RecurrentMode mode) {
        return mode == RecurrentMode.RNN_RELU ? pre.relu() : pre.tanh();
    }
}
