package dev.tessera.spi;

import dev.tessera.DType;
import dev.tessera.Device;

/**
 * The primitives a device implements. Everything else (broadcasting, views, autograd, layers) is
 * built in core from these.
 *
 * <p>Conventions shared by all methods:
 *
 * <ul>
 *   <li>Input views may have any strides, including 0 (broadcast) and negative-free transposes;
 *       {@code out} views are written element by element in their own layout.
 *   <li>Shapes have been checked by core: a backend may assume they agree and only has to guard
 *       what core cannot know, such as index values read from device memory.
 *   <li>Methods are called from any thread; a backend must be safe for concurrent calls on
 *       distinct output storages.
 * </ul>
 */
public interface Backend {

    /** Returns the device this backend drives. */
    Device device();

    /** Allocates {@code length} zero-filled elements of {@code dtype}. */
    Storage allocate(DType dtype, int length);

    /** Copies host floats into a new FLOAT32 storage of the same length; {@code data} is not kept. */
    Storage upload(float[] data);

    /** Copies host ints into a new INT32 storage of the same length; {@code data} is not kept. */
    Storage upload(int[] data);

    /** Returns the elements of {@code src} in row-major order as floats (INT32 is converted). */
    float[] readFloats(View src);

    /** Returns the elements of {@code src} in row-major order as ints (FLOAT32 is truncated toward 0). */
    int[] readInts(View src);

    /** Writes {@code value} into every element of {@code out}. */
    void fill(View out, float value);

    /**
     * Copies {@code src} into {@code out} (same shape), converting the dtype where they differ
     * (float to int truncates toward 0).
     */
    void copy(View src, View out);

    /** {@code out = op(x, param)} elementwise; x and out are FLOAT32 of the same shape. */
    void unary(UnaryOp op, float param, View x, View out);

    /**
     * {@code out = op(a, b)} elementwise; a, b and out have the same shape (core expands broadcast
     * operands with stride 0). Inputs are FLOAT32 or INT32; out is FLOAT32, or INT32 when core
     * asks for integer arithmetic (both inputs INT32 and op ADD, SUB, MUL, MAXIMUM or MINIMUM).
     */
    void binary(BinaryOp op, View a, View b, View out);

    /** {@code out = cond != 0 ? a : b} elementwise; all of one shape, a, b and out FLOAT32. */
    void where(View cond, View a, View b, View out);

    /**
     * Reduces a contiguous block viewed as {@code [outer, n, inner]} along its middle axis into
     * {@code out} viewed as {@code [outer, inner]}, contiguous, at {@code outOffset}.
     *
     * @param x      FLOAT32 (or INT32 for SUM/MAX/MIN) storage holding the input from {@code xOffset}
     * @param out    FLOAT32 storage, or INT32 for ARGMAX and ARGMIN; out has the input's dtype for MAX/MIN/SUM
     */
    void reduce(ReduceOp op, Storage x, int xOffset, int outer, int n, int inner, Storage out, int outOffset);

    /**
     * Softmax (or log-softmax when {@code log}) along the middle axis of a contiguous FLOAT32 block
     * viewed as {@code [outer, n, inner]}, written contiguously to {@code out}. Must stay finite
     * for logits of any magnitude (subtract the maximum first).
     */
    void softmax(Storage x, int xOffset, int outer, int n, int inner, Storage out, int outOffset, boolean log);

    /**
     * Batched matrix multiply {@code c[i] = a[i] x b[i]} for FLOAT32 views {@code a} of shape
     * {@code [batch, m, k]}, {@code b} {@code [batch, k, n]} and {@code c} {@code [batch, m, n]}.
     * Each matrix of {@code a} and {@code b} is row-major (last stride 1) or column-major
     * (second-last stride 1) — a transposed operand costs nothing; the batch stride may be 0 for a
     * broadcast operand. {@code c} is contiguous. When {@code accumulate}, adds to {@code c}.
     */
    void matmul(View a, View b, View c, boolean accumulate);

    /**
     * {@code out[..., j, ...] = x[..., index[..., j, ...], ...]} along {@code axis}: torch.gather.
     * {@code index} (INT32) and {@code out} have one shape; {@code x} matches it on every axis but
     * {@code axis}. An index outside {@code [0, x.shape[axis])} throws {@link
     * IllegalArgumentException} naming the op, the index and the size.
     */
    void gather(View x, int axis, View index, View out);

    /**
     * {@code out[..., index[..., j, ...], ...] += src[..., j, ...]} along {@code axis}: the adjoint
     * of {@link #gather}. {@code index} (INT32) and {@code src} have one shape; out is contiguous.
     * Bad indices throw as in {@link #gather}.
     */
    void scatterAdd(View src, int axis, View index, View out);

    /** Returns a one-line description for logs and {@link dev.tessera.Device#available()}. */
    default String describe() {
        return device().toString();
    }
}
