package dev.tessera.nn;

import dev.tessera.FusedRecurrent;
import dev.tessera.Generator;
import dev.tessera.Tensor;

/**
 * One LSTM step, like {@code torch.nn.LSTMCell}: the equations of {@link LSTM} for one input, with
 * the parameters {@code weight_ih [4H, in]}, {@code weight_hh [4H, H]}, {@code bias_ih [4H]},
 * {@code bias_hh [4H]} (gates i, f, g, o); see {@link RNNCellBase} for shapes and initialisation.
 */
public class LSTMCell extends RNNCellBase {
    /**
     * The states after one step.
     *
     * @param h the new hidden state {@code [B, H]} (or {@code [H]})
     * @param c the new cell state, shaped like {@code h}
     */
    public record State(Tensor h, Tensor c) {
    }

    /** Creates a cell with biases, initialised from {@link Random}. */
    public LSTMCell(int inputSize, int hiddenSize) {
        this(inputSize, hiddenSize, true, Random.newGenerator());
    }

    /**
     * Creates a cell, with biases if {@code bias}, drawing its initial values from {@code g} (advanced).
     *
     * @throws IllegalArgumentException if a size is not positive
     */
    public LSTMCell(int inputSize, int hiddenSize, boolean bias, Generator g) {
        super(RecurrentMode.LSTM, inputSize, hiddenSize, bias, g);
    }

    /** Returns the new hidden state for {@code input} from zero states; nothing is modified. */
    @Override
    public Tensor forward(Tensor input) {
        return forward(input, null, null).h();
    }

    /**
     * Returns the new states for {@code input} ({@code [B, in]} or {@code [in]}) from {@code h} and
     * {@code c} ({@code [B, H]} or {@code [H]}; null for zeros); nothing is modified.
     *
     * @throws IllegalArgumentException naming the cell and the shapes when they do not fit
     */
    public State forward(Tensor input, Tensor h, Tensor c) {
        Tensor x = batched(input);
        Tensor hx = state("h", h, input);
        Tensor cx = state("c", c, input);
        Tensor[] hc = FusedRecurrent.lstmCell(inputGates(x), hiddenGates(hx), cx, -1);
        return new State(unbatch(hc[0], input), unbatch(hc[1], input));
    }
}
