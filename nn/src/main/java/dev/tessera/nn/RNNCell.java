package dev.tessera.nn;

import dev.tessera.Generator;
import dev.tessera.Tensor;

/**
 * One Elman step, like {@code torch.nn.RNNCell}: {@code h' = tanh(W_ih x + b_ih + W_hh h + b_hh)}
 * (or relu), with the parameters {@code weight_ih [H, in]}, {@code weight_hh [H, H]}, {@code
 * bias_ih [H]}, {@code bias_hh [H]}; see {@link RNNCellBase} for shapes and initialisation.
 */
public class RNNCell extends RNNCellBase {
    /** Creates a tanh cell with biases, initialised from {@link Random}. */
    public RNNCell(int inputSize, int hiddenSize) {
        this(inputSize, hiddenSize, Nonlinearity.TANH, true, Random.newGenerator());
    }

    /**
     * Creates a cell with the {@code nonlinearity} {@link Nonlinearity#TANH} or {@link
     * Nonlinearity#RELU}, with biases if {@code bias}, drawing its initial values from {@code g}
     * (advanced).
     *
     * @throws IllegalArgumentException if the nonlinearity is neither TANH nor RELU or a size is not positive
     */
    public RNNCell(int inputSize, int hiddenSize, Nonlinearity nonlinearity, boolean bias, Generator g) {
        super(RNN.mode(nonlinearity), inputSize, hiddenSize, bias, g);
    }

    /** Returns {@link Nonlinearity#TANH} or {@link Nonlinearity#RELU}. */
    public Nonlinearity nonlinearity() {
        return mode() == RecurrentMode.RNN_RELU ? Nonlinearity.RELU : Nonlinearity.TANH;
    }

    /** Returns the new state for {@code input} from a zero state; nothing is modified. */
    @Override
    public Tensor forward(Tensor input) {
        return forward(input, null);
    }

    /**
     * Returns the new state for {@code input} ({@code [B, in]} or {@code [in]}) from {@code h}
     * ({@code [B, H]} or {@code [H]}; null for zeros); nothing is modified.
     *
     * @throws IllegalArgumentException naming the cell and the shapes when they do not fit
     */
    public Tensor forward(Tensor input, Tensor h) {
        Tensor x = batched(input);
        Tensor hx = state("h", h, input);
        return unbatch(RecurrentSteps.rnn(inputGates(x).add(hiddenGates(hx)), mode()), input);
    }
}
