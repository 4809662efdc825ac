package dev.tessera.nn;

import dev.tessera.Device;
import dev.tessera.Shape;
import dev.tessera.Tensor;

/**
 * Adds the fixed sinusoidal position encoding of "Attention Is All You Need" to a sequence of
 * vectors, then applies dropout (as in PyTorch's transformer tutorial): for position {@code pos}
 * and feature pair {@code i}, {@code pe[pos, 2i] = sin(pos / 10000^(2i/d))} and {@code pe[pos,
 * 2i+1] = cos(pos / 10000^(2i/d))}. The table {@code [maxLen, d]} is the buffer {@code pe} (saved
 * in the state dict, moved by {@link #to}, not trained). Inputs are {@code [S, N, d]}, {@code [N,
 * S, d]} with {@code batchFirst}, or unbatched {@code [S, d]}, with {@code S <= maxLen}.
 */
public class PositionalEncoding extends Module {
    private final int dModel;
    private final int maxLen;
    private final boolean batchFirst;

    /** Creates the encoding for width {@code dModel} and up to {@code maxLen} positions, no dropout, sequence first. */
    public PositionalEncoding(int dModel, int maxLen) {
        this(dModel, maxLen, 0.0, false);
    }

    /**
     * Creates the encoding for width {@code dModel} and up to {@code maxLen} positions, followed by
     * dropout {@code dropout} (generator from {@link Random}), for inputs {@code [N, S, d]} if
     * {@code batchFirst}.
     *
     * @throws IllegalArgumentException if a size is not positive or {@code dropout} is outside {@code [0, 1]}
     */
    public PositionalEncoding(int dModel, int maxLen, double dropout, boolean batchFirst) {
        if (dModel <= 0 || maxLen <= 0) {
            throw new IllegalArgumentException("PositionalEncoding: dModel and maxLen must be positive, got dModel=" + dModel
                    + ", maxLen=" + maxLen);
        }
        this.dModel = dModel;
        this.maxLen = maxLen;
        this.batchFirst = batchFirst;
        registerModule("dropout", new Dropout(dropout, Random.newGenerator()));
        registerBuffer("pe", table(maxLen, dModel));
    }

    /**
     * Returns the sinusoidal table {@code [maxLen, dModel]} (a new CPU tensor), computed in double
     * precision.
     */
    public static Tensor table(int maxLen, int dModel) {
        return table(Device.cpu(), maxLen, dModel);
    }

    /**
     * Returns the sinusoidal table {@code [maxLen, dModel]} as a new tensor on {@code device} (computed
     * on the host in double precision and uploaded once).
     *
     * @throws IllegalArgumentException if the device is not available
     */
    public static Tensor table(Device device, int maxLen, int dModel) {
        float[] pe = new float[maxLen * dModel];
        for (int pos = 0; pos < maxLen; pos++) {
            for (int j = 0; j < dModel; j++) {
                double angle = pos * Math.exp(-(j - j % 2) * Math.log(10000.0) / dModel);
                pe[pos * dModel + j] = (float) (j % 2 == 0 ? Math.sin(angle) : Math.cos(angle));
            }
        }
        return Tensor.of(device, pe, maxLen, dModel);
    }

    /**
     * Returns {@code dropout(x + pe[:S])} (a new tensor shaped like {@code x}).
     *
     * @throws IllegalArgumentException if the last dimension is not {@code dModel} or the sequence is
     *                                  longer than {@code maxLen}
     */
    @Override
    public Tensor forward(Tensor x) {
        int seqDim = x.dim() == 3 && batchFirst ? 1 : 0;
        if (x.dim() < 2 || x.dim() > 3 || x.size(-1) != dModel || x.size(seqDim) > maxLen) {
            throw new IllegalArgumentException(typeName() + "(dModel=" + dModel + ", maxLen=" + maxLen + "): input of shape "
                    + Shape.str(x.shape()) + " must be " + (batchFirst ? "[N, S, " : "[S, N, ") + dModel + "] or [S, "
                    + dModel + "] with S <= " + maxLen);
        }
        Tensor pe = buffer("pe").slice(0, 0, x.size(seqDim));
        if (x.dim() == 3 && !batchFirst) {
            pe = pe.unsqueeze(1);
        }
        return get("dropout").forward(x.add(pe));
    }

    @Override
    protected String extraRepr() {
        return "dModel=" + dModel + ", maxLen=" + maxLen + ", batchFirst=" + batchFirst;
    }
}
