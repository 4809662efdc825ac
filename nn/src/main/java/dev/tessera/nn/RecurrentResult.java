package dev.tessera.nn;

import dev.tessera.Tensor;

/**
 * What a recurrent layer ({@link LSTM}, {@link GRU}, {@link RNN}) returns, like the tuple of
 * PyTorch's {@code nn.LSTM}: the top layer's output at every step and the final states of every
 * layer and direction.
 *
 * @param output the top layer's hidden state at every step: {@code [T, B, D * H]} ({@code [B, T, D
 *               * H]} with batchFirst, {@code [T, D * H]} for an unbatched input), the two
 *               directions side by side (forward first); zero at the padded steps of a sequence
 *               shorter than {@code T}
 * @param h      the final hidden state of every layer and direction, {@code [L * D, B, H]} ({@code
 *               [L * D, H]} unbatched), index {@code layer * D + direction}; for a shorter
 *               sequence, the state after its last real step
 * @param c      the LSTM's final cell state, shaped like {@code h}; null for a GRU or RNN
 */
public record RecurrentResult(Tensor output, Tensor h, Tensor c) {
}
