package dev.tessera.nn.models;

import dev.tessera.Generator;
import dev.tessera.Shape;
import dev.tessera.Tensor;
import dev.tessera.nn.Dropout;
import dev.tessera.nn.Init;
import dev.tessera.nn.LayerNorm;
import dev.tessera.nn.Module;

/**
 * The transformer encoder of a {@link VisionTransformer}, torchvision's {@code Encoder}: adds the
 * learned {@code pos_embedding} {@code [1, seqLength, hidden]} (initialised N(0, 0.02^2)), applies
 * dropout, the blocks {@code layers.encoder_layer_0} ... ({@link VitEncoderBlock}) and the final
 * layer norm {@code ln} (eps 1e-6).
 */
public final class VitEncoder extends Module {
    private final int seqLength;
    private final int hiddenDim;

    /**
     * Creates the encoder for sequences of {@code seqLength} tokens (patches plus the class token),
     * drawing initial values from {@code g} (advanced).
     *
     * @throws IllegalArgumentException if a size is not positive or {@code hiddenDim} is not a
     *                                  multiple of {@code numHeads}
     */
    public VitEncoder(int seqLength, int numLayers, int numHeads, int hiddenDim, int mlpDim, double dropout,
            double attentionDropout, Generator g) {
        if (seqLength <= 0 || numLayers <= 0 || hiddenDim <= 0) {
            throw new IllegalArgumentException("VitEncoder: seqLength, numLayers and hiddenDim must be positive, got "
                    + seqLength + ", " + numLayers + ", " + hiddenDim);
        }
        this.seqLength = seqLength;
        this.hiddenDim = hiddenDim;
        Init.normal(registerParameter("pos_embedding", Tensor.zeros(1, seqLength, hiddenDim)), 0.0, 0.02, g);
        registerModule("dropout", new Dropout(dropout, new Generator(g.nextLong())));
        NamedSequential layers = new NamedSequential();
        for (int i = 0; i < numLayers; i++) {
            layers.add("encoder_layer_" + i, new VitEncoderBlock(numHeads, hiddenDim, mlpDim, dropout, attentionDropout, g));
        }
        registerModule("layers", layers);
        registerModule("ln", new LayerNorm(new int[] {hiddenDim}, 1e-6, true));
    }

    /** Returns the positional embedding parameter {@code [1, seqLength, hidden]}. */
    public Tensor posEmbedding() {
        return parameter("pos_embedding");
    }

    /**
     * Returns the encoded sequence for {@code input} {@code [N, seqLength, hidden]} (a new tensor of
     * that shape).
     *
     * @throws IllegalArgumentException if the input's shape is not {@code [N, seqLength, hidden]}
     */
    @Override
    public Tensor forward(Tensor input) {
        if (input.dim() != 3 || input.size(1) != seqLength || input.size(2) != hiddenDim) {
            throw new IllegalArgumentException("VitEncoder: expected (batch, " + seqLength + ", " + hiddenDim
                    + "), got input of shape " + Shape.str(input.shape()));
        }
        Tensor x = get("dropout").forward(input.add(posEmbedding()));
        return get("ln").forward(get("layers").forward(x));
    }
}
