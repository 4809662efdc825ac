package dev.tessera.nn;

import dev.tessera.Generator;
import dev.tessera.Tensor;

/**
 * A multi-layer gated recurrent unit, like {@code torch.nn.GRU}: per step, with the gates in
 * PyTorch's order r, z, n,
 * <pre>
 * r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)    z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
 * n = tanh(W_in x + b_in + r (W_hn h + b_hn))   h' = (1 - z) n + z h
 * </pre>
 * Shapes, parameter names ({@code weight_ih_l0 [3H, in]}, ...), initialisation, bidirectional
 * layers, dropout between layers and variable-length batches as described in {@link RNNBase}.
 */
public class GRU extends RNNBase {
    /** Creates one unidirectional layer, sequence first, with biases, initialised from {@link Random}. */
    public GRU(int inputSize, int hiddenSize) {
        this(inputSize, hiddenSize, 1, false, false);
    }

    /** Creates {@code numLayers} layers with biases and no dropout, initialised from {@link Random}. */
    public GRU(int inputSize, int hiddenSize, int numLayers, boolean batchFirst, boolean bidirectional) {
        this(inputSize, hiddenSize, numLayers, true, batchFirst, 0.0, bidirectional, Random.newGenerator());
    }

    /**
     * Creates {@code numLayers} layers, with biases if {@code bias}, dropout {@code dropout} between
     * layers in training mode, drawing the initial values from {@code g} (advanced) and seeding the
     * dropout generator from it.
     *
     * @throws IllegalArgumentException if a size is not positive or {@code dropout} is outside {@code [0, 1]}
     */
    public GRU(int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst, double dropout,
            boolean bidirectional, Generator g) {
        super(RecurrentMode.GRU, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, g);
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
