package dev.tessera.nn;

import dev.tessera.Generator;
import dev.tessera.Shape;
import dev.tessera.Tensor;

/**
 * Adds a trained vector per position to a sequence of vectors, then applies dropout (BERT's and
 * GPT-2's position embeddings): the parameter {@code weight [maxLen, d]} is initialised from N(0,
 * 0.02^2). Inputs are {@code [S, N, d]}, {@code [N, S, d]} with {@code batchFirst}, or unbatched
 * {@code [S, d]}, with {@code S <= maxLen}; position {@code p} gets row {@code p}.
 */
public class LearnedPositionalEncoding extends Module {
    private final int dModel;
    private final int maxLen;
    private final boolean batchFirst;

    /**
     * Creates {@code maxLen} trained positions of width {@code dModel} (the argument order of {@link
     * PositionalEncoding}), no dropout, sequence first; initial values from {@link Random}.
     */
    public LearnedPositionalEncoding(int dModel, int maxLen) {
        this(dModel, maxLen, 0.0, false, Random.newGenerator());
    }

    /**
     * Creates {@code maxLen} trained positions of width {@code dModel} followed by dropout {@code
     * dropout}, for inputs {@code [N, S, d]} if {@code batchFirst}; initial values and the dropout
     * seed drawn from {@code g} (advanced).
     *
     * @throws IllegalArgumentException if a size is not positive or {@code dropout} is outside {@code [0, 1]}
     */
    public LearnedPositionalEncoding(int dModel, int maxLen, double dropout, boolean batchFirst, Generator g) {
        if (dModel <= 0 || maxLen <= 0) {
            throw new IllegalArgumentException("LearnedPositionalEncoding: dModel and maxLen must be positive, got dModel="
                    + dModel + ", maxLen=" + maxLen);
        }
        this.dModel = dModel;
        this.maxLen = maxLen;
        this.batchFirst = batchFirst;
        Init.normal(registerParameter("weight", Tensor.zeros(maxLen, dModel)), 0.0, 0.02, g);
        registerModule("dropout", new Dropout(dropout, new Generator(g.nextLong())));
    }

    /** Returns the position table {@code [maxLen, d]}. */
    public Tensor weight() {
        return parameter("weight");
    }

    /**
     * Returns {@code dropout(x + weight[:S])} (a new tensor shaped like {@code x}).
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
        Tensor pe = weight().slice(0, 0, x.size(seqDim));
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
