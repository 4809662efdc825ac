package dev.tessera.nn;

import dev.tessera.Generator;
import dev.tessera.Shape;
import dev.tessera.Tensor;

/**
 * An encoder-decoder transformer, like {@code torch.nn.Transformer}: a {@link TransformerEncoder}
 * ({@code encoder}, with a final LayerNorm) over the source and a {@link TransformerDecoder}
 * ({@code decoder}, with a final LayerNorm) that attends from the target to the encoder's output.
 * Parameters are named as in PyTorch ({@code encoder.layers.0.self_attn.in_proj_weight}, {@code
 * decoder.norm.bias}, ...) and initialised as PyTorch does: every parameter with more than one
 * dimension Xavier-uniform, biases as their layers set them. There is no embedding: inputs are
 * already {@code [S, N, E]} / {@code [T, N, E]} vectors ({@code [N, S, E]} with batchFirst).
 */
public class Transformer extends Module {
    private final int dModel;
    private final boolean batchFirst;

    /** Creates PyTorch's default model: dModel 512, 8 heads, 6 + 6 layers, feed-forward 2048, dropout 0.1. */
    public Transformer() {
        this(512, 8, 6, 6, 2048, 0.1);
    }

    /** Creates a post-norm ReLU transformer, sequence first, LayerNorm eps 1e-5. */
    public Transformer(int dModel, int nHead, int numEncoderLayers, int numDecoderLayers, int dimFeedforward,
            double dropout) {
        this(dModel, nHead, numEncoderLayers, numDecoderLayers, dimFeedforward, dropout, TransformerActivation.RELU, 1e-5,
                false, false, Random.newGenerator());
    }

    /**
     * Creates a transformer with every PyTorch option, drawing initial values and dropout seeds
     * from {@code g} (advanced); see {@link TransformerEncoderLayer} for the options.
     *
     * @throws IllegalArgumentException if a size or layer count is not positive or {@code dModel}
     *                                  is not divisible by {@code nHead}
     */
    public Transformer(int dModel, int nHead, int numEncoderLayers, int numDecoderLayers, int dimFeedforward,
            double dropout, TransformerActivation activation, double layerNormEps, boolean batchFirst, boolean normFirst,
            Generator g) {
        this.dModel = dModel;
        this.batchFirst = batchFirst;
        registerModule("encoder", new TransformerEncoder(i -> new TransformerEncoderLayer(dModel, nHead, dimFeedforward,
                dropout, activation, layerNormEps, batchFirst, normFirst, g), numEncoderLayers,
                new LayerNorm(new int[] {dModel}, layerNormEps, true)));
        registerModule("decoder", new TransformerDecoder(i -> new TransformerDecoderLayer(dModel, nHead, dimFeedforward,
                dropout, activation, layerNormEps, batchFirst, normFirst, g), numDecoderLayers,
                new LayerNorm(new int[] {dModel}, layerNormEps, true)));
        for (Tensor p : parameters()) {
            if (p.dim() > 1) {
                Init.xavierUniform(p, 1.0, g);
            }
        }
    }

    /** Returns the encoder. */
    public TransformerEncoder encoder() {
        return (TransformerEncoder) get("encoder");
    }

    /** Returns the decoder. */
    public TransformerDecoder decoder() {
        return (TransformerDecoder) get("decoder");
    }

    /** Returns the model width. */
    public int dModel() {
        return dModel;
    }

    /**
     * Returns the additive causal mask {@code [size, size]} (0 on and below the diagonal, {@code
     * -inf} above), as PyTorch's {@code generate_square_subsequent_mask}; wrap it with {@link
     * AttentionMask#additive}, or use {@link AttentionMask#causal()} directly.
     */
    public static Tensor generateSquareSubsequentMask(int size) {
        return F.causalMask(size);
    }

    /**
     * Not supported: a transformer needs a source and a target; call {@link #forward(Tensor, Tensor)}.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public Tensor forward(Tensor input) {
        throw new UnsupportedOperationException("Transformer: forward needs a source and a target; call forward(src, tgt)");
    }

    /** Returns the decoder's output for {@code tgt} given the encoded {@code src}, without masks. */
    public Tensor forward(Tensor src, Tensor tgt) {
        return forward(src, tgt, null, null, null, null, null, null);
    }

    /**
     * Encodes {@code src} ({@code [S, N, E]}) and decodes {@code tgt} ({@code [T, N, E]}) against
     * it (batch first with batchFirst); returns {@code [T, N, E]} (or {@code [N, T, E]}); modifies
     * nothing. Masks as in {@link TransformerEncoder} and {@link TransformerDecoder}; a causal
     * {@code tgtMask} ({@link AttentionMask#causal()}) makes it autoregressive.
     *
     * @throws IllegalArgumentException if the batch sizes or widths differ, or a mask does not fit
     */
    public Tensor forward(Tensor src, Tensor tgt, AttentionMask srcMask, AttentionMask tgtMask, AttentionMask memoryMask,
            AttentionMask srcKeyPaddingMask, AttentionMask tgtKeyPaddingMask, AttentionMask memoryKeyPaddingMask) {
        int batchDim = batchFirst ? 0 : 1;
        boolean batched = src.dim() == 3;
        if (src.dim() != tgt.dim() || src.size(-1) != dModel || tgt.size(-1) != dModel
                || (batched && src.size(batchDim) != tgt.size(batchDim))) {
            throw new IllegalArgumentException("Transformer(dModel=" + dModel + "): source " + Shape.str(src.shape())
                    + " and target " + Shape.str(tgt.shape()) + " need the same batch size and last dimension " + dModel);
        }
        Tensor memory = encoder().forward(src, srcMask, srcKeyPaddingMask);
        return decoder().forward(tgt, memory, tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask);
    }
}
