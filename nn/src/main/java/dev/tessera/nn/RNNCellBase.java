package dev.tessera.nn;

import dev.tessera.Generator;
import dev.tessera.Shape;
import dev.tessera.Tensor;
import java.util.Arrays;
import java.util.Objects;

/**
 * One step of a recurrence, like PyTorch's {@code nn.RNNCellBase}: the parameters {@code weight_ih
 * [G * H, inputSize]}, {@code weight_hh [G * H, H]}, {@code bias_ih [G * H]} and {@code bias_hh [G
 * * H]} ({@code G} gates in PyTorch's order), initialised from {@code U(-1/sqrt(H), 1/sqrt(H))}.
 * Inputs are {@code [B, inputSize]} or unbatched {@code [inputSize]}, states {@code [B, H]} or
 * {@code [H]}; a null state means zeros.
 */
public abstract class RNNCellBase extends Module {
    private final RecurrentMode mode;
    private final int inputSize;
    private final int hiddenSize;
    private final boolean hasBias;

    /**
     * Registers and initialises the parameters, drawing from {@code g} (advanced).
     *
     * @throws IllegalArgumentException if a size is not positive
     */
    RNNCellBase(RecurrentMode mode, int inputSize, int hiddenSize, boolean bias, Generator g) {
        if (inputSize <= 0 || hiddenSize <= 0) {
            throw new IllegalArgumentException(mode.label() + "Cell: inputSize and hiddenSize must be positive, got inputSize="
                    + inputSize + ", hiddenSize=" + hiddenSize);
        }
        Objects.requireNonNull(g, mode.label() + "Cell: generator must not be null");
        this.mode = mode;
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        this.hasBias = bias;
        int rows = mode.gates() * hiddenSize;
        double bound = 1.0 / Math.sqrt(hiddenSize);
        Init.uniform(registerParameter("weight_ih", Tensor.zeros(rows, inputSize)), -bound, bound, g);
        Init.uniform(registerParameter("weight_hh", Tensor.zeros(rows, hiddenSize)), -bound, bound, g);
        if (bias) {
            Init.uniform(registerParameter("bias_ih", Tensor.zeros(rows)), -bound, bound, g);
            Init.uniform(registerParameter("bias_hh", Tensor.zeros(rows)), -bound, bound, g);
        }
    }

    /** Returns the number of input features. */
    public int inputSize() {
        return inputSize;
    }

    /** Returns the size H of the state. */
    public int hiddenSize() {
        return hiddenSize;
    }

    /** Returns true when the cell has biases. */
    public boolean hasBias() {
        return hasBias;
    }

    RecurrentMode mode() {
        return mode;
    }

    /** Returns {@code x W_ih^T + b_ih} ({@code [B, G * H]}). */
    Tensor inputGates(Tensor x) {
        return F.linear(x, parameter("weight_ih"), hasBias ? parameter("bias_ih") : null);
    }

    /** Returns {@code h W_hh^T + b_hh} ({@code [B, G * H]}). */
    Tensor hiddenGates(Tensor h) {
        return F.linear(h, parameter("weight_hh"), hasBias ? parameter("bias_hh") : null);
    }

    /**
     * Checks the input and returns it batched ({@code [B, inputSize]}).
     *
     * @throws IllegalArgumentException naming the cell and the shape
     */
    Tensor batched(Tensor input) {
        Objects.requireNonNull(input, describe() + ": input must not be null");
        if (input.dim() != 1 && input.dim() != 2 || input.size(-1) != inputSize) {
            throw new IllegalArgumentException(describe() + ": input of shape " + Shape.str(input.shape()) + " must be [batch, "
                    + inputSize + "] or unbatched [" + inputSize + "]");
        }
        return input.dim() == 1 ? input.unsqueeze(0) : input;
    }

    /**
     * Checks a state against the (original) input and returns it batched ({@code [B, H]}); zeros when null.
     *
     * @throws IllegalArgumentException naming the cell and the shapes
     */
    Tensor state(String name, Tensor state, Tensor input) {
        boolean unbatched = input.dim() == 1;
        int[] want = unbatched ? new int[] {hiddenSize} : new int[] {input.size(0), hiddenSize};
        if (state == null) {
            return Tensor.zeros(input.device(), unbatched ? 1 : input.size(0), hiddenSize);
        }
        if (!Arrays.equals(state.shape(), want)) {
            throw new IllegalArgumentException(describe() + ": " + name + " of shape " + Shape.str(state.shape()) + " must be "
                    + Shape.str(want) + " for an input of shape " + Shape.str(input.shape()));
        }
        return unbatched ? state.unsqueeze(0) : state;
    }

    /** Undoes the batching of an unbatched input. */
    static Tensor unbatch(Tensor t, Tensor input) {
        return input.dim() == 1 ? t.squeeze(0) : t;
    }

    String describe() {
        return typeName() + "(" + extraRepr() + ")";
    }

    @Override
    protected String extraRepr() {
        return "input=" + inputSize + ", hidden=" + hiddenSize + (mode == RecurrentMode.RNN_RELU ? ", nonlinearity=relu" : "")
                + (hasBias ? "" : ", bias=false");
    }
}
