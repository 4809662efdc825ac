package dev.tessera.nn;

/**
 * The recurrence a {@link RNNBase} or a cell computes, with its number of gates: the weights
 * {@code weight_ih} and {@code weight_hh} stack that many {@code [hidden, ...]} blocks, in
 * PyTorch's order (i, f, g, o for the LSTM; r, z, n for the GRU).
 */
enum RecurrentMode {
    /** Elman network {@code h' = tanh(W_ih x + b_ih + W_hh h + b_hh)}; one gate. */
    RNN_TANH(1, "RNN"),
    /** Elman network with a rectifier, {@code h' = relu(W_ih x + b_ih + W_hh h + b_hh)}; one gate. */
    RNN_RELU(1, "RNN"),
    /** Long short-term memory: input, forget, cell and output gates. */
    LSTM(4, "LSTM"),
    /** Gated recurrent unit: reset, update and new gates. */
    GRU(3, "GRU");

    private final int gates;
    private final String label;

    RecurrentMode(int gates, String label) {
        this.gates = gates;
        this.label = label;
    }

    /** Returns the number of {@code [hidden, ...]} blocks stacked in each weight. */
    int gates() {
        return gates;
    }

    /** Returns the layer family's name, as in error messages ({@code LSTM}, {@code GRU}, {@code RNN}). */
    String label() {
        return label;
    }
}
