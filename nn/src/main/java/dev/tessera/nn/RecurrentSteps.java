package dev.tessera.nn;

import dev.tessera.Tensor;

/**
 * The Elman step shared by {@link RNNCell} and {@link RNN}, written with tensor ops so autograd
 * differentiates it. (The LSTM and GRU steps are fused ops: {@link dev.tessera.FusedRecurrent}.)
 * Nothing passed in is modified.
 */
final class RecurrentSteps {
    private RecurrentSteps() {
    }

    /** The Elman step {@code h' = act(pre)} (a new tensor) for {@code pre = W_ih x + b_ih + W_hh h + b_hh}, with tanh or relu. */
    static Tensor rnn(Tensor pre, RecurrentMode mode) {
        return mode == RecurrentMode.RNN_RELU ? pre.relu() : pre.tanh();
    }
}
