package dev.tessera.nn;

import dev.tessera.Tensor;
import java.util.Objects;
import java.util.function.IntFunction;

/**
 * A stack of {@link TransformerEncoderLayer}s with an optional final {@link LayerNorm}, like
 * {@code torch.nn.TransformerEncoder}: state dict keys {@code layers.0.self_attn.in_proj_weight},
 * ..., {@code norm.weight}, {@code norm.bias}.
 */
public class TransformerEncoder extends Module {
    private final int numLayers;

    /** Stacks {@code numLayers} copies of {@code layer} (same initial weights, as PyTorch's deep copies), without final norm. */
    public TransformerEncoder(TransformerEncoderLayer layer, int numLayers) {
        this(layer, numLayers, null);
    }

    /**
     * Stacks {@code numLayers} copies of {@code layer} ({@link TransformerEncoderLayer#copy()}: same
     * initial weights, as PyTorch's deep copies; {@code layer} itself is not used) followed by
     * {@code norm} (null for none).
     *
     * @throws IllegalArgumentException if {@code numLayers} is not positive or {@code layer} is null
     */
    public TransformerEncoder(TransformerEncoderLayer layer, int numLayers, LayerNorm norm) {
        this(i -> Objects.requireNonNull(layer, "TransformerEncoder: layer must not be null").copy(), numLayers, norm);
    }

    /**
     * Stacks the layers {@code factory.apply(0)}, ..., {@code factory.apply(numLayers - 1)} followed
     * by {@code norm} (null for none).
     *
     * @throws IllegalArgumentException if {@code numLayers} is not positive or the factory returns null
     */
    public TransformerEncoder(IntFunction<? extends TransformerEncoderLayer> factory, int numLayers, LayerNorm norm) {
        if (numLayers <= 0) {
            throw new IllegalArgumentException("TransformerEncoder: numLayers must be positive, got " + numLayers);
        }
        this.numLayers = numLayers;
        Sequential layers = new Sequential();
        for (int i = 0; i < numLayers; i++) {
            TransformerEncoderLayer l = factory.apply(i);
            if (l == null) {
                throw new IllegalArgumentException("TransformerEncoder: the layer factory returned null for layer " + i);
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
    public TransformerEncoderLayer layer(int i) {
        return (TransformerEncoderLayer) ((Sequential) get("layers")).get(i);
    }

    /** Returns the final norm, or null if there is none. */
    public LayerNorm norm() {
        return namedChildren().containsKey("norm") ? (LayerNorm) get("norm") : null;
    }

    /** Returns {@code src} passed through every layer and the final norm, without masks. */
    @Override
    public Tensor forward(Tensor src) {
        return forward(src, null, null);
    }

    /**
     * Returns {@code src} passed through every layer with the same masks (see {@link
     * TransformerEncoderLayer#forward(Tensor, AttentionMask, AttentionMask)}), then the final norm;
     * does not modify {@code src}.
     */
    public Tensor forward(Tensor src, AttentionMask mask, AttentionMask srcKeyPaddingMask) {
        Tensor x = src;
        for (int i = 0; i < numLayers; i++) {
            x = layer(i).forward(x, mask, srcKeyPaddingMask);
        }
        LayerNorm norm = norm();
        return norm == null ? x : norm.forward(x);
    }
}
