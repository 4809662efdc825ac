package dev.tessera.nn;

import dev.tessera.Generator;
import dev.tessera.Shape;
import dev.tessera.Tensor;

/**
 * One transformer decoder layer, like {@code torch.nn.TransformerDecoderLayer}: self-attention
 * over the target, cross-attention from the target to the encoder's output ({@code memory}) and a
 * feed-forward block, each with dropout, a residual connection and layer normalisation:
 *
 * <pre>
 * post-norm (default): x = norm1(x + sa(x)); x = norm2(x + mha(x, mem)); x = norm3(x + ff(x))
 * pre-norm (normFirst): x = x + sa(norm1(x)); x = x + mha(norm2(x), mem); x = x + ff(norm3(x))
 * </pre>
 *
 * <p>Submodules and state dict as PyTorch: {@code self_attn}, {@code multihead_attn}, {@code
 * linear1}, {@code dropout}, {@code linear2}, {@code norm1}, {@code norm2}, {@code norm3}, {@code
 * dropout1}, {@code dropout2}, {@code dropout3}. Inputs are {@code [T, N, E]} and {@code [S, N,
 * E]}, or {@code [N, T, E]} and {@code [N, S, E]} with {@code batchFirst}.
 */
public class TransformerDecoderLayer extends Module {
    private final int dModel;
    private final int nHead;
    private final int dimFeedforward;
    private final double dropout;
    private final TransformerActivation activation;
    private final double layerNormEps;
    private final boolean batchFirst;
    private final boolean normFirst;

    /** Creates a post-norm ReLU layer, sequence first, LayerNorm eps 1e-5; initial values from {@link Random}. */
    public TransformerDecoderLayer(int dModel, int nHead, int dimFeedforward, double dropout) {
        this(dModel, nHead, dimFeedforward, dropout, TransformerActivation.RELU, 1e-5, false, false);
    }

    /** Creates a layer with every PyTorch option; initial values and dropout generators from {@link Random}. */
    public TransformerDecoderLayer(int dModel, int nHead, int dimFeedforward, double dropout,
            TransformerActivation activation, double layerNormEps, boolean batchFirst, boolean normFirst) {
        this(dModel, nHead, dimFeedforward, dropout, activation, layerNormEps, batchFirst, normFirst, Random.newGenerator());
    }

    /**
     * Creates a layer with the options of {@link TransformerEncoderLayer}'s full constructor,
     * drawing initial values and dropout seeds from {@code g} (advanced).
     *
     * @throws IllegalArgumentException if a size is not positive, {@code dModel} is not divisible by
     *                                  {@code nHead}, or {@code dropout} is outside {@code [0, 1]}
     */
    public TransformerDecoderLayer(int dModel, int nHead, int dimFeedforward, double dropout,
            TransformerActivation activation, double layerNormEps, boolean batchFirst, boolean normFirst, Generator g) {
        if (dModel <= 0 || nHead <= 0 || dimFeedforward <= 0 || dModel % nHead != 0 || activation == null) {
            throw new IllegalArgumentException("TransformerDecoderLayer: needs positive sizes with dModel divisible by nHead"
                    + " and an activation, got dModel=" + dModel + ", nHead=" + nHead + ", dimFeedforward=" + dimFeedforward
                    + ", activation=" + activation);
        }
        this.dModel = dModel;
        this.nHead = nHead;
        this.dimFeedforward = dimFeedforward;
        this.dropout = dropout;
        this.activation = activation;
        this.layerNormEps = layerNormEps;
        this.batchFirst = batchFirst;
        this.normFirst = normFirst;
        registerModule("self_attn", new MultiheadAttention(dModel, nHead, dropout, true, batchFirst, g));
        registerModule("multihead_attn", new MultiheadAttention(dModel, nHead, dropout, true, batchFirst, g));
        registerModule("linear1", new Linear(dModel, dimFeedforward, true, g));
        registerModule("dropout", new Dropout(dropout, new Generator(g.nextLong())));
        registerModule("linear2", new Linear(dimFeedforward, dModel, true, g));
        for (String norm : new String[] {"norm1", "norm2", "norm3"}) {
            registerModule(norm, new LayerNorm(new int[] {dModel}, layerNormEps, true));
        }
        for (String drop : new String[] {"dropout1", "dropout2", "dropout3"}) {
            registerModule(drop, new Dropout(dropout, new Generator(g.nextLong())));
        }
    }

    /**
     * Returns a new layer with this layer's options, a copy of its parameters and its training
     * mode, and fresh dropout generators from {@link Random}; this layer is not modified.
     */
    public TransformerDecoderLayer copy() {
        TransformerDecoderLayer c = new TransformerDecoderLayer(dModel, nHead, dimFeedforward, dropout, activation,
                layerNormEps, batchFirst, normFirst);
        c.loadStateDict(stateDict());
        c.train(isTraining());
        return c;
    }

    /** Returns the model width {@code dModel}. */
    public int dModel() {
        return dModel;
    }

    /** Returns true when inputs are batch first. */
    public boolean batchFirst() {
        return batchFirst;
    }

    /**
     * Not supported: a decoder layer needs the encoder's output; call {@link #forward(Tensor,
     * Tensor)}.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public Tensor forward(Tensor tgt) {
        throw new UnsupportedOperationException(typeName() + ": forward needs the target and the encoder's output;"
                + " call forward(tgt, memory)");
    }

    /** Returns the layer's output for {@code tgt} attending to {@code memory}, without masks. */
    public Tensor forward(Tensor tgt, Tensor memory) {
        return forward(tgt, memory, null, null, null, null);
    }

    /**
     * Returns the layer's output for {@code tgt} ({@code [T, N, E]}) attending to {@code memory}
     * ({@code [S, N, E]}) (batch first with batchFirst; unbatched {@code [T, E]}, {@code [S, E]}
     * too); modifies nothing.
     *
     * @param tgtMask                null, or a mask {@code [T, T]} (typically {@link AttentionMask#causal()})
     * @param memoryMask             null, or a mask {@code [T, S]}
     * @param tgtKeyPaddingMask      null, or a mask {@code [N, T]} over target keys
     * @param memoryKeyPaddingMask   null, or a mask {@code [N, S]} over memory keys
     * @throws IllegalArgumentException naming the shapes if the inputs or masks do not fit
     */
    public Tensor forward(Tensor tgt, Tensor memory, AttentionMask tgtMask, AttentionMask memoryMask,
            AttentionMask tgtKeyPaddingMask, AttentionMask memoryKeyPaddingMask) {
        if (tgt.dim() < 2 || tgt.size(-1) != dModel || memory.dim() != tgt.dim() || memory.size(-1) != dModel) {
            throw new IllegalArgumentException(typeName() + "(dModel=" + dModel + "): target " + Shape.str(tgt.shape())
                    + " and memory " + Shape.str(memory.shape()) + " must both be " + (batchFirst ? "[N, T|S, " : "[T|S, N, ")
                    + dModel + "]");
        }
        MultiheadAttention selfAttn = (MultiheadAttention) get("self_attn");
        MultiheadAttention crossAttn = (MultiheadAttention) get("multihead_attn");
        Tensor x = tgt;
        if (normFirst) {
            Tensor n1 = get("norm1").forward(x);
            x = x.add(get("dropout1").forward(selfAttn.forward(n1, n1, n1, tgtKeyPaddingMask, tgtMask, false).output()));
            Tensor n2 = get("norm2").forward(x);
            x = x.add(get("dropout2").forward(
                    crossAttn.forward(n2, memory, memory, memoryKeyPaddingMask, memoryMask, false).output()));
            return x.add(feedForwardBlock(get("norm3").forward(x)));
        }
        x = get("norm1").forward(x.add(get("dropout1").forward(
                selfAttn.forward(x, x, x, tgtKeyPaddingMask, tgtMask, false).output())));
        x = get("norm2").forward(x.add(get("dropout2").forward(
                crossAttn.forward(x, memory, memory, memoryKeyPaddingMask, memoryMask, false).output())));
        return get("norm3").forward(x.add(feedForwardBlock(x)));
    }

    private Tensor feedForwardBlock(Tensor x) {
        Tensor h = get("dropout").forward(activation.apply(get("linear1").forward(x)));
        return get("dropout3").forward(get("linear2").forward(h));
    }

    @Override
    protected String extraRepr() {
        return "dModel=" + dModel + ", nHead=" + nHead + ", dimFeedforward=" + dimFeedforward + ", dropout=" + dropout
                + ", activation=" + activation + ", layerNormEps=" + layerNormEps + ", batchFirst=" + batchFirst
                + ", normFirst=" + normFirst;
    }
}
