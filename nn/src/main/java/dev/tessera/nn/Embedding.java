package dev.tessera.nn;

import dev.tessera.DType;
import dev.tessera.Generator;
import dev.tessera.Shape;
import dev.tessera.Tensor;
import java.util.Arrays;
import java.util.OptionalInt;

/**
 * A lookup table of {@code n} vectors of size {@code dim}, like {@code torch.nn.Embedding}: the
 * {@code weight} is {@code [n, dim]}, initialised from N(0, 1); the forward maps an INT32 index
 * tensor of any shape {@code [...]} to {@code [..., dim]}. Gradients flow to the rows looked up
 * (summed over repeats).
 *
 * <p>With a {@code paddingIdx} (as PyTorch's {@code padding_idx}, used by Hugging Face's BERT for
 * its word embeddings) that row is initialised to zeros and never receives a gradient: the
 * positions that look it up contribute nothing to {@code weight.grad}, so training leaves the row
 * as it is (it is still returned as stored, e.g. a pretrained non-zero row).
 */
public class Embedding extends Module {
    private final int numEmbeddings;
    private final int embeddingDim;
    private final int paddingIdx; // -1: none

    /** Creates a table of {@code n} vectors of size {@code dim}, initialised from {@link Random}. */
    public Embedding(int n, int dim) {
        this(n, dim, Random.newGenerator());
    }

    /**
     * Creates a table of {@code n} vectors of size {@code dim}, drawing N(0, 1) values from {@code g}
     * (advances it).
     *
     * @throws IllegalArgumentException if a size is not positive
     */
    public Embedding(int n, int dim, Generator g) {
        this(check(n, dim), -1);
        Init.normal(registerParameter("weight", Tensor.zeros(n, dim)), 0.0, 1.0, g);
    }

    /**
     * Creates a table of {@code n} vectors of size {@code dim} whose row {@code paddingIdx} is zero
     * and gets no gradient; the other rows are initialised from {@link Random}.
     *
     * @throws IllegalArgumentException as {@link #Embedding(int, int, int, Generator)}
     */
    public Embedding(int n, int dim, int paddingIdx) {
        this(n, dim, paddingIdx, Random.newGenerator());
    }

    /**
     * Creates a table of {@code n} vectors of size {@code dim}, drawing N(0, 1) values from {@code g}
     * (advances it), then zeroing row {@code paddingIdx}, which never receives a gradient. A negative
     * {@code paddingIdx} counts from the end ({@code -1} is row {@code n - 1}), as in PyTorch.
     *
     * @throws IllegalArgumentException if a size is not positive or {@code paddingIdx} is outside
     *                                  {@code [-n, n)}
     */
    public Embedding(int n, int dim, int paddingIdx, Generator g) {
        this(check(n, dim), resolvePadding(n, paddingIdx));
        Tensor w = Init.normal(registerParameter("weight", Tensor.zeros(n, dim)), 0.0, 1.0, g);
        try (var ng = Tensor.noGrad()) {
            w.select(0, this.paddingIdx).fill(0f);
        }
    }

    private Embedding(int[] sizes, int paddingIdx) {
        this.numEmbeddings = sizes[0];
        this.embeddingDim = sizes[1];
        this.paddingIdx = paddingIdx;
    }

    private static int resolvePadding(int n, int paddingIdx) {
        if (paddingIdx < -n || paddingIdx >= n) {
            throw new IllegalArgumentException("Embedding: paddingIdx must be in [-" + n + ", " + n + ") for " + n
                    + " embeddings, got " + paddingIdx);
        }
        return paddingIdx < 0 ? paddingIdx + n : paddingIdx;
    }

    private static int[] check(int n, int dim) {
        if (n <= 0 || dim <= 0) {
            throw new IllegalArgumentException("Embedding: n and dim must be positive, got n=" + n + ", dim=" + dim);
        }
        return new int[] {n, dim};
    }

    /**
     * Returns an embedding whose weight is {@code embeddings} ({@code [n, dim]}, FLOAT32; its data is
     * shared, not copied, and the given tensor object itself is left untouched), trainable unless
     * {@code freeze}.
     *
     * @throws IllegalArgumentException if {@code embeddings} is not a 2-D FLOAT32 tensor
     */
    public static Embedding fromPretrained(Tensor embeddings, boolean freeze) {
        return fromPretrained(embeddings, freeze, null);
    }

    /**
     * As {@link #fromPretrained(Tensor, boolean)}, with row {@code paddingIdx} (null for none;
     * negative counts from the end) receiving no gradient; its values are kept as given, as in
     * PyTorch's {@code from_pretrained(..., padding_idx=...)}.
     *
     * @throws IllegalArgumentException if {@code embeddings} is not a 2-D FLOAT32 tensor or {@code
     *                                  paddingIdx} is out of range
     */
    public static Embedding fromPretrained(Tensor embeddings, boolean freeze, Integer paddingIdx) {
        if (embeddings.dim() != 2 || embeddings.dtype() != DType.FLOAT32) {
            throw new IllegalArgumentException("Embedding.fromPretrained: needs a 2-D FLOAT32 [n, dim] tensor, got "
                    + embeddings.dtype() + " of shape " + Shape.str(embeddings.shape()));
        }
        int[] sizes = check(embeddings.size(0), embeddings.size(1));
        Embedding e = new Embedding(sizes, paddingIdx == null ? -1 : resolvePadding(sizes[0], paddingIdx));
        e.registerParameter("weight", embeddings.detach());
        if (freeze) {
            e.freeze();
        }
        return e;
    }

    /** Returns the number of vectors n. */
    public int numEmbeddings() {
        return numEmbeddings;
    }

    /** Returns the vector size dim. */
    public int embeddingDim() {
        return embeddingDim;
    }

    /** Returns the row that gets no gradient (negative indices resolved), or empty when there is none. */
    public OptionalInt paddingIdx() {
        return paddingIdx < 0 ? OptionalInt.empty() : OptionalInt.of(paddingIdx);
    }

    /** Returns the weight parameter {@code [n, dim]}. */
    public Tensor weight() {
        return parameter("weight");
    }

    /**
     * Returns the rows of the weight at {@code indices} (INT32, any shape, moved to the weight's
     * device if needed), shaped {@code [..., dim]}. Reads nothing back to the host: the backend
     * checks the indices as it gathers the rows (on the CPU at once, and then the indices are read
     * to name the bad one; a GPU backend may report a bad index only at the next read-back). With a
     * padding index, the positions that look it up pass no gradient back to the weight.
     *
     * @throws IllegalArgumentException if the indices are not INT32, or one is outside {@code [0, n)}
     *                                  (naming it)
     */
    @Override
    public Tensor forward(Tensor indices) {
        if (indices.dtype() != DType.INT32) {
            throw new IllegalArgumentException(this + ": indices must be INT32, got " + indices.dtype() + " of shape "
                    + Shape.str(indices.shape()) + " (use Tensor.ofInts or to(DType.INT32))");
        }
        Tensor w = weight();
        Tensor flat = indices.to(w.device()).reshape(-1);
        Tensor rows;
        try {
            rows = w.indexSelect(0, flat);
        } catch (IllegalArgumentException e) {
            throw outOfRange(flat, e);
        }
        if (paddingIdx >= 0 && rows.requiresGrad()) {
            // Same values; the padding positions take the detached rows, so no gradient reaches that row.
            rows = Tensor.where(flat.eq((float) paddingIdx).reshape(-1, 1), rows.detach(), rows);
        }
        int[] shape = Arrays.copyOf(indices.shape(), indices.dim() + 1);
        shape[indices.dim()] = embeddingDim;
        return rows.reshape(shape);
    }

    /** The backend refused an index: find it on the host and name it, or rethrow the backend's error. */
    private IllegalArgumentException outOfRange(Tensor flat, IllegalArgumentException cause) {
        int[] values = flat.toIntArray();
        for (int i = 0; i < values.length; i++) {
            if (values[i] < 0 || values[i] >= numEmbeddings) {
                return new IllegalArgumentException(this + ": index " + values[i] + " (at flat position " + i
                        + ") is out of range for " + numEmbeddings + " embeddings; valid indices are 0 to "
                        + (numEmbeddings - 1), cause);
            }
        }
        return cause;
    }

    @Override
    protected String extraRepr() {
        return numEmbeddings + ", " + embeddingDim + (paddingIdx < 0 ? "" : ", paddingIdx=" + paddingIdx);
    }
}
