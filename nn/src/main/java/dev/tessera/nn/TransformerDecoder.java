package dev.tessera.nn;

import dev.tessera.Tensor;
import java.util.Objects;
import java.util.function.IntFunction;

/**
 * A stack of {@link TransformerDecoderLayer}s with an optional final {@link LayerNorm}, like
 * {@code torch.nn.TransformerDecoder}: state dict keys {@code layers.0.self_attn.in_proj_weight},
 * ..., {@code layers.0.multihead_attn...}, {@code norm.weight}, {@code norm.bias}.
 */
public class TransformerDecoder extends Module {
    private final int numLayers;

    /** Stacks {@code numLayers} copies of {@code layer}, without final norm. */
    public TransformerDecoder(TransformerDecoderLayer layer, int numLayers) {
        this(layer, numLayers, null);
    }

    /**
     * Stacks {@code numLayers} copies of {@code layer} ({@link TransformerDecoderLayer#copy()}: same
     * initial weights, as PyTorch's deep copies; {@code layer} itself is not used) followed by
     * {@code norm} (null for none).
     *
     * @throws IllegalArgumentException if {@code numLayers} is not positive or {@code layer} is null
     */
    public TransformerDecoder(TransformerDecoderLayer layer, int numLayers, LayerNorm norm) {
        this(i -> Objects.requireNonNull(layer, "TransformerDecoder: layer must not be null").copy(), numLayers, norm);
    }

    /**
     * Stacks the layers {@code factory.apply(0)}, ..., {@code factory.apply(numLayers - 1)} followed
     * by {@code norm} (null for none).
     *
     * @throws IllegalArgumentException if {@code numLayers} is not positive or the factory returns null
     */
    public TransformerDecoder(IntFunction<? extends TransformerDecoderLayer> factory, int numLayers, LayerNorm norm) {
        if (numLayers <= 0) {
            throw new IllegalArgumentException("TransformerDecoder: numLayers must be positive, got " + numLayers);
        }
        this.numLayers = numLayers;
        Sequential layers = new Sequential();
        for (int i = 0; i < numLayers; i++) {
            TransformerDecoderLayer l = factory.apply(i);
            if (l == null) {
                throw new IllegalArgumentException("TransformerDecoder: the layer factory returned null for layer " + i);
            }
            layers.add(l);
        }
        registerModule("layers", layers);
        if (norm != null) {
            registerModule("norm", norm);
        }
    }

    /** Returns the number of layers. */
    public int numLayers() {
        return numLayers;
    }

    /** Returns layer {@code i} (0-based). */
    public TransformerDecoderLayer layer(int i) {
        return (TransformerDecoderLayer) ((Sequential) get("layers")).get(i);
    }

    /** Returns the final norm, or null if there is none. */
    public LayerNorm norm() {
        return namedChildren().containsKey("norm") ? (LayerNorm) get("norm") : null;
    }

    /**
     * Not supported: a decoder needs the encoder's output; call {@link #forward(Tensor, Tensor)}.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public Tensor forward(Tensor tgt) {
        throw new UnsupportedOperationException(typeName() + ": forward needs the target and the encoder's output;"
                + " call forward(tgt, memory)");
    }

    /** Returns {@code tgt} decoded against {@code memory} without masks. */
    public Tensor forward(Tensor tgt, Tensor memory) {
        return forward(tgt, memory, null, null, null, null);
    }

    /**
     * Returns {@code tgt} passed through every layer with {@code memory} and the same masks (see
     * {@link TransformerDecoderLayer#forward(Tensor, Tensor, AttentionMask, AttentionMask,
     * AttentionMask, AttentionMask)}), then the final norm; modifies nothing.
     */
    public Tensor forward(Tensor tgt, Tensor memory, AttentionMask tgtMask, AttentionMask memoryMask,
            AttentionMask tgtKeyPaddingMask, AttentionMask memoryKeyPaddingMask) {
        Tensor x = tgt;
        for (int i = 0; i < numLayers; i++) {
            x = layer(i).forward(x, memory, tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask);
        }
        LayerNorm norm = norm();
        return norm == null ? x : norm.forward(x);
    }
}
