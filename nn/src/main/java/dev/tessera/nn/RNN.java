package dev.tessera.nn;

import dev.tessera.Generator;
import dev.tessera.Tensor;

/**
 * A multi-layer Elman network, like {@code torch.nn.RNN}: per step {@code h' = tanh(W_ih x + b_ih
 * + W_hh h + b_hh)}, or with a rectifier instead of tanh when built with {@link Nonlinearity#RELU}.
 * Shapes, parameter names ({@code weight_ih_l0 [H, in]}, ...), initialisation, bidirectional
 * layers, dropout between layers and variable-length batches as described in {@link RNNBase}.
 */
public class RNN extends RNNBase {
    /** Creates one unidirectional tanh layer, sequence first, with biases, initialised from {@link Random}. */
    public RNN(int inputSize, int hiddenSize) {
        this(inputSize, hiddenSize, 1, false, false);
    }

    /** Creates {@code numLayers} tanh layers with biases and no dropout, initialised from {@link Random}. */
    public RNN(int inputSize, int hiddenSize, int numLayers, boolean batchFirst, boolean bidirectional) {
        this(inputSize, hiddenSize, numLayers, Nonlinearity.TANH, true, batchFirst, 0.0, bidirectional,
                Random.newGenerator());
    }

    /**
     * Creates {@code numLayers} layers with the {@code nonlinearity} {@link Nonlinearity#TANH} or
     * {@link Nonlinearity#RELU}, with biases if {@code bias}, dropout {@code dropout} between layers
     * in training mode, drawing the initial values from {@code g} (advanced) and seeding the dropout
     * generator from it.
     *
     * @throws IllegalArgumentException if the nonlinearity is neither TANH nor RELU, a size is not
     *                                  positive or {@code dropout} is outside {@code [0, 1]}
     */
    public RNN(int inputSize, int hiddenSize, int numLayers, Nonlinearity nonlinearity, boolean bias, boolean batchFirst,
            double dropout, boolean bidirectional, Generator g) {
        super(mode(nonlinearity), inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, g);
    }

    static RecurrentMode mode(Nonlinearity nonlinearity) {
        if (nonlinearity == Nonlinearity.TANH) {
            return RecurrentMode.RNN_TANH;
        }
        if (nonlinearity == Nonlinearity.RELU) {
            return RecurrentMode.RNN_RELU;
        }
        throw new IllegalArgumentException("RNN: nonlinearity must be TANH or RELU, got " + nonlinearity);
    }

    /** Returns {@link Nonlinearity#TANH} or {@link Nonlinearity#RELU}. */
    public Nonlinearity nonlinearity() {
        return mode() == RecurrentMode.RNN_RELU ? Nonlinearity.RELU : Nonlinearity.TANH;
    }

    /**
     * Runs {@code input} from the initial state {@code h0} ({@code [L * D, B, H]}, or {@code [L * D,
     * H]} unbatched; null for zeros); nothing is modified.
     *
     * @return the output and the final hidden states ({@code c()} is null)
     * @throws IllegalArgumentException naming the layer and the shapes when the input or state do not fit
     */
    public RecurrentResult forward(Tensor input, Tensor h0) {
        return run(input, h0, null, null);
    }

    /**
     * As {@link #forward(Tensor, Tensor)} for a padded batch of sequences with {@code lengths} real
     * steps each (null: all full length): the padded steps output zeros and leave the state as it was.
     *
     * @throws IllegalArgumentException also when there is not one length per sequence or a length
     *                                  is outside {@code [0, T]}
     */
    public RecurrentResult forward(Tensor input, Tensor h0, int[] lengths) {
        return run(input, h0, null, lengths);
    }
}
