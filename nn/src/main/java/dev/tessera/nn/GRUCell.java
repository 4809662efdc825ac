package dev.tessera.nn;

import dev.tessera.FusedRecurrent;
import dev.tessera.Generator;
import dev.tessera.Tensor;

/**
 * One GRU step, like {@code torch.nn.GRUCell}: the equations of {@link GRU} for one input, with the
 * parameters {@code weight_ih [3H, in]}, {@code weight_hh [3H, H]}, {@code bias_ih [3H]}, {@code
 * bias_hh [3H]} (gates r, z, n); see {@link RNNCellBase} for shapes and initialisation.
 */
public class GRUCell extends RNNCellBase {
    /** Creates a cell with biases, initialised from {@link Random}. */
    public GRUCell(int inputSize, int hiddenSize) {
        this(inputSize, hiddenSize, true, Random.newGenerator());
    }

    /**
     * Creates a cell, with biases if {@code bias}, drawing its initial values from {@code g} (advanced).
     *
     * @throws IllegalArgumentException if a size is not positive
     */
    public GRUCell(int inputSize, int hiddenSize, boolean bias, Generator g) {
        super(RecurrentMode.GRU, inputSize, hiddenSize, bias, g);
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
        return unbatch(FusedRecurrent.gruCell(inputGates(x), hiddenGates(hx), hx, -1), input);
    }
}
