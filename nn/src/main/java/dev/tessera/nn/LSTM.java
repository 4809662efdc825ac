package dev.tessera.nn;

import dev.tessera.Generator;
import dev.tessera.Tensor;

/**
 * A multi-layer long short-term memory, like {@code torch.nn.LSTM}: per step, with the gates in
 * PyTorch's order i, f, g, o,
 * <pre>
 * i = sigmoid(W_ii x + b_ii + W_hi h + b_hi)    f = sigmoid(W_if x + b_if + W_hf h + b_hf)
 * g = tanh(W_ig x + b_ig + W_hg h + b_hg)       o = sigmoid(W_io x + b_io + W_ho h + b_ho)
 * c' = f c + i g                                h' = o tanh(c')
 * </pre>
 * Shapes, parameter names ({@code weight_ih_l0 [4H, in]}, ...), initialisation, bidirectional
 * layers, dropout between layers and variable-length batches as described in {@link RNNBase}.
 */
public class LSTM extends RNNBase {
    /** Creates one unidirectional layer, sequence first, with biases, initialised from {@link Random}. */
    public LSTM(int inputSize, int hiddenSize) {
        this(inputSize, hiddenSize, 1, false, false);
    }

    /** Creates {@code numLayers} layers with biases and no dropout, initialised from {@link Random}. */
    public LSTM(int inputSize, int hiddenSize, int numLayers, boolean batchFirst, boolean bidirectional) {
        this(inputSize, hiddenSize, numLayers, true, batchFirst, 0.0, bidirectional, Random.newGenerator());
    }

    /**
     * Creates {@code numLayers} layers, with biases if {@code bias}, dropout {@code dropout} between
     * layers in training mode, drawing the initial values from {@code g} (advanced) and seeding the
     * dropout generator from it.
     *
     * @throws IllegalArgumentException if a size is not positive or {@code dropout} is outside {@code [0, 1]}
     */
    public LSTM(int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst, double dropout,
            boolean bidirectional, Generator g) {
        super(RecurrentMode.LSTM, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, g);
    }

    /**
     * Runs {@code input} from the initial states {@code h0} and {@code c0} ({@code [L * D, B, H]},
     * or {@code [L * D, H]} unbatched; both null for zeros); nothing is modified.
     *
     * @return the output, the final hidden states and the final cell states
     * @throws IllegalArgumentException naming the layer and the shapes when the input or states do
     *                                  not fit, or only one of the states is given
     */
    public RecurrentResult forward(Tensor input, Tensor h0, Tensor c0) {
        return run(input, h0, c0, null);
    }

    /**
     * As {@link #forward(Tensor, Tensor, Tensor)} for a padded batch of sequences with {@code
     * lengths} real steps each (null: all full length): the padded steps output zeros and leave the
     * states as they were.
     *
     * @throws IllegalArgumentException also when there is not one length per sequence or a length
     *                                  is outside {@code [0, T]}
     */
    public RecurrentResult forward(Tensor input, Tensor h0, Tensor c0, int[] lengths) {
        return run(input, h0, c0, lengths);
    }
}
