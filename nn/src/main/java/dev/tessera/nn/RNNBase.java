package dev.tessera.nn;

import dev.tessera.Device;
import dev.tessera.Fused;
import dev.tessera.FusedRecurrent;
import dev.tessera.Generator;
import dev.tessera.Shape;
import dev.tessera.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The multi-layer, optionally bidirectional recurrent layer behind {@link LSTM}, {@link GRU} and
 * {@link RNN}, like PyTorch's {@code nn.RNNBase}: same parameters, names, shapes and results.
 *
 * <p>Parameters, per layer {@code k} and direction ({@code _reverse} for the backward one), in
 * PyTorch's order: {@code weight_ih_lk [G * H, in]}, {@code weight_hh_lk [G * H, H]}, {@code
 * bias_ih_lk [G * H]}, {@code bias_hh_lk [G * H]}, where {@code G} is the number of gates (4 for
 * the LSTM in the order i, f, g, o; 3 for the GRU in the order r, z, n; 1 for the RNN) and {@code
 * in} is the input size for layer 0 and {@code D * H} above it. All are initialised from {@code
 * U(-1/sqrt(H), 1/sqrt(H))}, as PyTorch does; a PyTorch {@code state_dict} loads by name.
 *
 * <p>Shapes ({@code T} steps, batch {@code B}, {@code D = 2} if bidirectional, else 1, {@code L}
 * layers): the input is {@code [T, B, inputSize]} ({@code [B, T, inputSize]} with batchFirst, or
 * {@code [T, inputSize]} unbatched); the initial and final states are {@code [L * D, B, H]}
 * (whatever batchFirst; {@code [L * D, H]} unbatched), zeros when not given; the output is {@code
 * [T, B, D * H]} (batchFirst: {@code [B, T, D * H]}).
 *
 * <p>Variable-length batches: given per-sequence lengths (sequences padded at the end, any order),
 * the padded steps {@code t >= length} leave the state unchanged and output zeros, so the output
 * at real steps and the final state equal those of each sequence run alone (the reverse direction
 * starts at each sequence's last real step), as with PyTorch's packed sequences.
 *
 * <p>How it runs: the sequence travels between layers transposed, {@code [features, T * B]}. Per
 * layer and direction the input projection of all steps is one GEMM {@code W_ih x} (both biases
 * then added in one pass); each step is one {@code W_hh h} product ({@code [G * H, H] x [H, B]}:
 * the weight is read in place, only the small state is packed) plus the gate arithmetic. An LSTM
 * direction runs as one autograd node ({@link FusedRecurrent#lstmSequence}): one fused cell kernel
 * per step, and in backward one product over all steps for the gradient of {@code W_hh}. The GRU
 * and the plain RNN record a few elementwise nodes per step.
 * In training mode, {@code dropout} is applied to the output of every layer but the last, with
 * masks drawn from this module's {@link Generator}. A module in eval mode keeps no per-call state
 * and may run from many threads at once.
 */
public abstract class RNNBase extends Module implements Stochastic {
    private static final Logger LOG = LoggerFactory.getLogger(RNNBase.class);

    private final RecurrentMode mode;
    private final int inputSize;
    private final int hiddenSize;
    private final int numLayers;
    private final boolean hasBias;
    private final boolean batchFirst;
    private final float dropout;
    private final boolean bidirectional;
    private final Generator generator;

    /**
     * Registers and initialises every layer's parameters, drawing from {@code g} (advanced) in
     * PyTorch's parameter order, and seeds the dropout generator from it.
     *
     * @throws IllegalArgumentException if a size is not positive or {@code dropout} is outside {@code [0, 1]}
     */
    RNNBase(RecurrentMode mode, int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst,
            double dropout, boolean bidirectional, Generator g) {
        String name = mode.label();
        if (inputSize <= 0 || hiddenSize <= 0 || numLayers <= 0) {
            throw new IllegalArgumentException(name + ": inputSize, hiddenSize and numLayers must be positive, got inputSize="
                    + inputSize + ", hiddenSize=" + hiddenSize + ", numLayers=" + numLayers);
        }
        if (!(dropout >= 0 && dropout <= 1)) {
            throw new IllegalArgumentException(name + ": dropout must be in [0, 1], got " + dropout);
        }
        Objects.requireNonNull(g, name + ": generator must not be null");
        if (dropout > 0 && numLayers == 1) {
            LOG.warn("{}: dropout {} has no effect with one layer (it applies between layers)", name, dropout);
        }
        this.mode = mode;
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        this.numLayers = numLayers;
        this.hasBias = bias;
        this.batchFirst = batchFirst;
        this.dropout = (float) dropout;
        this.bidirectional = bidirectional;
        int rows = mode.gates() * hiddenSize;
        double bound = 1.0 / Math.sqrt(hiddenSize);
        for (int layer = 0; layer < numLayers; layer++) {
            int in = layer == 0 ? inputSize : hiddenSize * directions();
            for (int dir = 0; dir < directions(); dir++) {
                String sfx = suffix(layer, dir);
                Init.uniform(registerParameter("weight_ih" + sfx, Tensor.zeros(rows, in)), -bound, bound, g);
                Init.uniform(registerParameter("weight_hh" + sfx, Tensor.zeros(rows, hiddenSize)), -bound, bound, g);
                if (bias) {
                    Init.uniform(registerParameter("bias_ih" + sfx, Tensor.zeros(rows)), -bound, bound, g);
                    Init.uniform(registerParameter("bias_hh" + sfx, Tensor.zeros(rows)), -bound, bound, g);
                }
            }
        }
        this.generator = new Generator(g.nextLong());
    }

    private static String suffix(int layer, int dir) {
        return "_l" + layer + (dir == 1 ? "_reverse" : "");
    }

    /** Returns the number of input features. */
    public int inputSize() {
        return inputSize;
    }

    /** Returns the size H of the hidden (and cell) state. */
    public int hiddenSize() {
        return hiddenSize;
    }

    /** Returns the number of stacked layers. */
    public int numLayers() {
        return numLayers;
    }

    /** Returns true when the layers have biases. */
    public boolean hasBias() {
        return hasBias;
    }

    /** Returns true when inputs and outputs are {@code [B, T, ...]} rather than {@code [T, B, ...]}. */
    public boolean batchFirst() {
        return batchFirst;
    }

    /** Returns the dropout probability between layers (training mode only). */
    public double dropout() {
        return dropout;
    }

    /** Returns true when each layer also runs backwards in time. */
    public boolean bidirectional() {
        return bidirectional;
    }

    /** Returns the number of directions D: 2 if bidirectional, else 1. */
    public int directions() {
        return bidirectional ? 2 : 1;
    }

    @Override
    public Generator generator() {
        return generator;
    }

    /**
     * Returns the top layer's output at every step for {@code input} with zero initial states (see
     * the class comment for the shapes); nothing is modified.
     *
     * @throws IllegalArgumentException naming the layer and the shapes when the input does not fit
     */
    @Override
    public Tensor forward(Tensor input) {
        return run(input, null, null, null).output();
    }

    /**
     * Runs a padded batch of sequences of the given lengths from zero initial states: the padded
     * steps do not change the final states and output zeros. Nothing is modified.
     *
     * @param lengths the number of real steps of each sequence ({@code B} values in {@code [0,
     *                T]}); null means every sequence has {@code T}
     * @return the output and the final states (and, for an LSTM, the final cell states)
     * @throws IllegalArgumentException naming the layer and the shapes when the input or lengths
     *                                  do not fit
     */
    public RecurrentResult forward(Tensor input, int[] lengths) {
        return run(input, null, null, lengths);
    }

    /**
     * The whole computation: {@code h0} and {@code c0} may be null (zeros); {@code c0} only for the
     * LSTM; {@code lengths} may be null (no padding). Nothing passed in is modified.
     */
    RecurrentResult run(Tensor input, Tensor h0, Tensor c0, int[] lengths) {
        Objects.requireNonNull(input, describe() + ": input must not be null");
        if (input.dim() != 2 && input.dim() != 3 || input.size(-1) != inputSize) {
            throw new IllegalArgumentException(describe() + ": input of shape " + Shape.str(input.shape()) + " must be "
                    + (batchFirst ? "[batch, seq, " : "[seq, batch, ") + inputSize + "] or unbatched [seq, " + inputSize + "]");
        }
        boolean unbatched = input.dim() == 2;
        int timeDim = unbatched || !batchFirst ? 0 : 1;
        Tensor x = unbatched ? input.unsqueeze(1) : input;
        int steps = x.size(timeDim);
        int batch = x.size(1 - timeDim);
        if (steps == 0 || batch == 0) {
            throw new IllegalArgumentException(describe() + ": input of shape " + Shape.str(input.shape())
                    + " has no steps or no sequences");
        }
        int states = numLayers * directions();
        Tensor hx = initialState("h0", h0, unbatched, states, batch, input);
        Tensor cx = null;
        if (mode == RecurrentMode.LSTM) {
            if ((h0 == null) != (c0 == null)) {
                throw new IllegalArgumentException(describe() + ": give both h0 and c0, or neither (got "
                        + (h0 == null ? "c0 only" : "h0 only") + ")");
            }
            cx = initialState("c0", c0, unbatched, states, batch, input);
        }
        Tensor[] masks = lengths == null ? null : masks(lengths, steps, batch, input);

        // Between layers the sequence travels transposed, as xT [features, T * B] (column t * B + b):
        // then each step's gates W_ih x + W_hh h are [G * H, B] blocks whose gate slices are
        // contiguous, the large weights are read in place by the GEMM and only the small state is packed.
        Tensor xT = (timeDim == 0 ? x : x.transpose(0, 1)).reshape(steps * batch, inputSize).t();
        Tensor[] hn = new Tensor[states];
        Tensor[] cn = new Tensor[states];
        for (int layer = 0; layer < numLayers; layer++) {
            List<Tensor> outs = new ArrayList<>(2);
            for (int dir = 0; dir < directions(); dir++) {
                int index = layer * directions() + dir;
                Tensor[] r = direction(layer, dir, xT, steps, batch, hx == null ? null : hx.select(0, index).t(),
                        cx == null ? null : cx.select(0, index).t(), lengths, masks);
                outs.add(r[0]);
                hn[index] = r[1].t();
                cn[index] = r[2] == null ? null : r[2].t();
            }
            xT = outs.size() == 1 ? outs.get(0) : Tensor.cat(outs, 0);
            if (layer < numLayers - 1 && dropout > 0 && isTraining()) {
                synchronized (generator) {
                    xT = Fused.dropout(xT, generator, dropout, dropout < 1 ? 1f / (1f - dropout) : 0f);
                }
            }
        }
        int features = directions() * hiddenSize;
        Tensor output;
        if (unbatched) {
            output = xT.t().contiguous();
        } else if (batchFirst) {
            output = xT.reshape(features, steps, batch).permute(2, 1, 0).contiguous();
        } else {
            output = xT.t().reshape(steps, batch, features);
        }
        Tensor h = Tensor.stack(Arrays.asList(hn), 0);
        Tensor c = mode == RecurrentMode.LSTM ? Tensor.stack(Arrays.asList(cn), 0) : null;
        if (unbatched) {
            h = h.squeeze(1);
            c = c == null ? null : c.squeeze(1);
        }
        return new RecurrentResult(output, h, c);
    }

    /**
     * Runs one direction of one layer over the transposed sequence {@code xT} ({@code [in, T * B]}),
     * from the transposed states {@code h0}, {@code c0} ({@code [H, B]}, null for zeros).
     *
     * @return {the transposed output {@code [H, T * B]}, final h {@code [H, B]}, final c (null but
     *         for the LSTM)}
     */
    private Tensor[] direction(int layer, int dir, Tensor xT, int steps, int batch, Tensor h0, Tensor c0,
            int[] lengths, Tensor[] masks) {
        String sfx = suffix(layer, dir);
        int hidden = hiddenSize;
        Tensor whh = parameter("weight_hh" + sfx);
        Tensor xp = parameter("weight_ih" + sfx).matmul(xT); // every step's input projection in one GEMM
        Tensor bhn = null;
        if (hasBias) {
            Tensor bih = parameter("bias_ih" + sfx);
            Tensor bhh = parameter("bias_hh" + sfx);
            Tensor bias;
            if (mode == RecurrentMode.GRU) {
                // b_hr and b_hz add to the input side; b_hn sits inside r * (W_hn h + b_hn).
                Tensor zeros = Tensor.zeros(bhh.device(), hidden);
                bias = bih.add(Tensor.cat(List.of(bhh.slice(0, 0, 2 * hidden), zeros), 0));
                bhn = bhh.slice(0, 2 * hidden, 3 * hidden);
            } else {
                bias = bih.add(bhh);
            }
            xp = xp.add(bias.unsqueeze(1));
        }
        // The LSTM and GRU run the whole direction as one node, the gradient of W_hh as one product over all steps.
        if (mode == RecurrentMode.LSTM) {
            return FusedRecurrent.lstmSequence(xp, whh, h0, c0, batch, dir == 1, lengths);
        }
        if (mode == RecurrentMode.GRU) {
            Tensor[] r = FusedRecurrent.gruSequence(xp, whh, bhn, h0, batch, dir == 1, lengths);
            return new Tensor[] {r[0], r[1], null};
        }
        // A view, so that the per-step weight gradients add up in one buffer rather than in the leaf.
        Tensor whhView = whh.reshape(whh.shape());
        Tensor h = h0; // null: zeros, and the first step needs no W_hh h
        Tensor[] outs = new Tensor[steps];
        Tensor zero = masks == null ? null : Tensor.scalar(xT.device(), 0f);
        for (int s = 0; s < steps; s++) {
            int t = dir == 1 ? steps - 1 - s : s;
            Tensor pre = xp.slice(1, t * batch, (t + 1) * batch);
            Tensor hNext = RecurrentSteps.rnn(h == null ? pre : pre.add(whhView.matmul(h)), mode);
            Tensor m = masks == null ? null : masks[t];
            if (m == null) {
                outs[t] = hNext;
                h = hNext;
            } else { // padded here for some sequences: zero output, state carried through
                outs[t] = Tensor.where(m, hNext, zero); // exact zeros, even where padding made hNext inf or NaN
                h = Tensor.where(m, hNext, h == null ? zero : h);
            }
        }
        return new Tensor[] {Tensor.cat(Arrays.asList(outs), 1), h, null};
    }

    private Tensor initialState(String name, Tensor state, boolean unbatched, int states, int batch, Tensor input) {
        if (state == null) {
            return null;
        }
        int[] want = unbatched ? new int[] {states, hiddenSize} : new int[] {states, batch, hiddenSize};
        if (!Arrays.equals(state.shape(), want)) {
            throw new IllegalArgumentException(describe() + ": " + name + " of shape " + Shape.str(state.shape())
                    + " must be " + Shape.str(want) + " (layers * directions, " + (unbatched ? "" : "batch, ")
                    + "hidden) for an input of shape " + Shape.str(input.shape()));
        }
        if (!state.device().equals(input.device())) {
            throw new IllegalArgumentException(describe() + ": " + name + " is on " + state.device() + " but the input on "
                    + input.device());
        }
        return unbatched ? state.unsqueeze(1) : state;
    }

    /**
     * Per step {@code t}: null when every sequence is longer than {@code t}, else a {@code [1, B]}
     * mask, 1 for the sequences still running and 0 for those padded there.
     */
    private Tensor[] masks(int[] lengths, int steps, int batch, Tensor input) {
        if (lengths.length != batch) {
            throw new IllegalArgumentException(describe() + ": " + lengths.length + " lengths for a batch of " + batch
                    + " sequences (input of shape " + Shape.str(input.shape()) + ")");
        }
        int shortest = steps;
        for (int b = 0; b < batch; b++) {
            if (lengths[b] < 0 || lengths[b] > steps) {
                throw new IllegalArgumentException(describe() + ": length " + lengths[b] + " of sequence " + b
                        + " is outside [0, " + steps + "] for an input of shape " + Shape.str(input.shape()));
            }
            shortest = Math.min(shortest, lengths[b]);
        }
        Tensor[] masks = new Tensor[steps];
        if (shortest == steps) {
            return masks;
        }
        int padded = steps - shortest;
        float[] data = new float[padded * batch];
        for (int t = shortest; t < steps; t++) {
            for (int b = 0; b < batch; b++) {
                data[(t - shortest) * batch + b] = t < lengths[b] ? 1f : 0f;
            }
        }
        Device device = input.device();
        Tensor all = Tensor.of(device, data, padded, 1, batch);
        for (int t = shortest; t < steps; t++) {
            masks[t] = all.select(0, t - shortest);
        }
        return masks;
    }

    /** Returns the layer's name and settings for error messages, e.g. {@code LSTM(input=10, hidden=20, ...)}. */
    String describe() {
        return typeName() + "(" + extraRepr() + ")";
    }

    @Override
    protected String extraRepr() {
        return "input=" + inputSize + ", hidden=" + hiddenSize + ", layers=" + numLayers
                + (mode == RecurrentMode.RNN_RELU ? ", nonlinearity=relu" : "")
                + (hasBias ? "" : ", bias=false") + (batchFirst ? ", batchFirst=true" : "")
                + (dropout > 0 ? ", dropout=" + dropout : "") + (bidirectional ? ", bidirectional=true" : "");
    }

    /** Returns the recurrence this layer computes. */
    RecurrentMode mode() {
        return mode;
    }
}
