package dev.tessera.nn;

import dev.tessera.Generator;
import dev.tessera.Shape;
import dev.tessera.Tensor;

/**
 * One transformer encoder layer, like {@code torch.nn.TransformerEncoderLayer}: self-attention and
 * a feed-forward block {@code linear2(dropout(activation(linear1(x))))}, each followed by dropout
 * and wrapped in a residual connection with layer normalisation:
 *
 * <pre>
 * post-norm (default): x = norm1(x + dropout1(selfAttn(x)));  x = norm2(x + dropout2(ff(x)))
 * pre-norm (normFirst): x = x + dropout1(selfAttn(norm1(x))); x = x + dropout2(ff(norm2(x)))
 * </pre>
 *
 * <p>Submodules and state dict as PyTorch: {@code self_attn} ({@link MultiheadAttention}, with the
 * same dropout), {@code linear1}, {@code dropout}, {@code linear2}, {@code norm1}, {@code norm2},
 * {@code dropout1}, {@code dropout2}. Inputs are {@code [S, N, E]}, or {@code [N, S, E]} with
 * {@code batchFirst}.
 */
public class TransformerEncoderLayer extends Module {
    private final int dModel;
    private final int nHead;
    private final int dimFeedforward;
    private final double dropout;
    private final TransformerActivation activation;
    private final double layerNormEps;
    private final boolean batchFirst;
    private final boolean normFirst;

    /** Creates a post-norm ReLU layer, sequence first, LayerNorm eps 1e-5; initial values from {@link Random}. */
    public TransformerEncoderLayer(int dModel, int nHead, int dimFeedforward, double dropout) {
        this(dModel, nHead, dimFeedforward, dropout, TransformerActivation.RELU, 1e-5, false, false);
    }

    /** Creates a layer with every PyTorch option; initial values and dropout generators from {@link Random}. */
    public TransformerEncoderLayer(int dModel, int nHead, int dimFeedforward, double dropout,
            TransformerActivation activation, double layerNormEps, boolean batchFirst, boolean normFirst) {
        this(dModel, nHead, dimFeedforward, dropout, activation, layerNormEps, batchFirst, normFirst, Random.newGenerator());
    }

    /**
     * Creates a layer of width {@code dModel} with {@code nHead} heads, a feed-forward block of
     * {@code dimFeedforward} units, dropout {@code dropout} (attention, feed-forward and residual
     * branches), the given activation and LayerNorm eps, inputs {@code [N, S, E]} if {@code
     * batchFirst}, pre-norm if {@code normFirst}; initial values and dropout seeds drawn from
     * {@code g} (advanced).
     *
     * @throws IllegalArgumentException if a size is not positive, {@code dModel} is not divisible by
     *                                  {@code nHead}, or {@code dropout} is outside {@code [0, 1]}
     */
    public TransformerEncoderLayer(int dModel, int nHead, int dimFeedforward, double dropout,
            TransformerActivation activation, double layerNormEps, boolean batchFirst, boolean normFirst, Generator g) {
        if (dModel <= 0 || nHead <= 0 || dimFeedforward <= 0 || dModel % nHead != 0 || activation == null) {
            throw new IllegalArgumentException("TransformerEncoderLayer: needs positive sizes with dModel divisible by nHead"
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
        registerModule("linear1", new Linear(dModel, dimFeedforward, true, g));
        registerModule("dropout", new Dropout(dropout, new Generator(g.nextLong())));
        registerModule("linear2", new Linear(dimFeedforward, dModel, true, g));
        registerModule("norm1", new LayerNorm(new int[] {dModel}, layerNormEps, true));
        registerModule("norm2", new LayerNorm(new int[] {dModel}, layerNormEps, true));
        registerModule("dropout1", new Dropout(dropout, new Generator(g.nextLong())));
        registerModule("dropout2", new Dropout(dropout, new Generator(g.nextLong())));
    }

    /**
     * Returns a new layer with this layer's options, a copy of its parameters and its training
     * mode, and fresh dropout generators from {@link Random}; this layer is not modified.
     */
    public TransformerEncoderLayer copy() {
        TransformerEncoderLayer c = new TransformerEncoderLayer(dModel, nHead, dimFeedforward, dropout, activation,
                layerNormEps, batchFirst, normFirst);
        c.loadStateDict(stateDict());
        c.train(isTraining());
        return c;
    }

    /** Returns the self-attention submodule {@code self_attn}. */
    public MultiheadAttention selfAttn() {
        return (MultiheadAttention) get("self_attn");
    }

    /** Returns the model width {@code dModel}. */
    public int dModel() {
        return dModel;
    }

    /** Returns true when inputs are {@code [N, S, E]}. */
    public boolean batchFirst() {
        return batchFirst;
    }

    /** Returns true for pre-norm (LayerNorm before each block), false for post-norm. */
    public boolean normFirst() {
        return normFirst;
    }

    /** Returns the layer's output for {@code src} without masks (a new tensor shaped like {@code src}). */
    @Override
    public Tensor forward(Tensor src) {
        return forward(src, null, null);
    }

    /**
     * Returns the layer's output for {@code src} ({@code [S, N, E]}, {@code [N, S, E]} with
     * batchFirst, or unbatched {@code [S, E]}); does not modify it.
     *
     * @param srcMask           null, or a mask {@code [S, S]} / {@code [N * nHead, S, S]}, or
     *                          {@link AttentionMask#causal()}
     * @param srcKeyPaddingMask null, or a mask {@code [N, S]} over keys (e.g. {@code
     *                          AttentionMask.block(padding)})
     * @throws IllegalArgumentException naming the shapes if the input or masks do not fit
     */
    public Tensor forward(Tensor src, AttentionMask srcMask, AttentionMask srcKeyPaddingMask) {
        if (src.dim() < 2 || src.size(-1) != dModel) {
            throw new IllegalArgumentException(typeName() + "(dModel=" + dModel + "): input of shape "
                    + Shape.str(src.shape()) + " must be " + (batchFirst ? "[N, S, " : "[S, N, ") + dModel + "]");
        }
        Module norm1 = get("norm1");
        Module norm2 = get("norm2");
        Tensor x = src;
        if (normFirst) {
            x = x.add(selfAttentionBlock(norm1.forward(x), srcMask, srcKeyPaddingMask));
            return x.add(feedForwardBlock(norm2.forward(x)));
        }
        x = norm1.forward(x.add(selfAttentionBlock(x, srcMask, srcKeyPaddingMask)));
        return norm2.forward(x.add(feedForwardBlock(x)));
    }

    private Tensor selfAttentionBlock(Tensor x, AttentionMask mask, AttentionMask keyPadding) {
        Tensor a = selfAttn().forward(x, x, x, keyPadding, mask, false).output();
        return get("dropout1").forward(a);
    }

    private Tensor feedForwardBlock(Tensor x) {
        Tensor h = get("dropout").forward(activation.apply(get("linear1").forward(x)));
        return get("dropout2").forward(get("linear2").forward(h));
    }

    @Override
    protected String extraRepr() {
        return "dModel=" + dModel + ", nHead=" + nHead + ", dimFeedforward=" + dimFeedforward + ", dropout=" + dropout
                + ", activation=" + activation + ", layerNormEps=" + layerNormEps + ", batchFirst=" + batchFirst
                + ", normFirst=" + normFirst;
    }
}
