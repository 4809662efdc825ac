package dev.tessera;

import dev.tessera.spi.Backend;
import dev.tessera.spi.BinaryOp;
import dev.tessera.spi.ScopeFrame;
import dev.tessera.spi.Storage;
import dev.tessera.spi.UnaryOp;
import dev.tessera.spi.View;
import java.util.List;

/**
 * An n-dimensional array of {@link DType#FLOAT32} or {@link DType#INT32} on a {@link Device},
 * with define-by-run automatic differentiation.
 *
 * <p>A tensor is a strided window (shape, strides, offset) onto a storage; views made by {@link
 * #reshape}, {@link #transpose}, {@link #permute}, {@link #slice}, {@link #expand} and friends
 * share the storage and copy nothing. Ops never modify their inputs and return new tensors,
 * except the methods named {@code ...InPlace}, {@link #copyFrom} and {@link #fill}, which modify
 * this tensor and are not recorded by autograd. Each in-place write bumps the storage's {@link
 * #version()}; {@link #backward()} fails if a tensor an op saved for it was written in place since.
 *
 * <p>When an input {@link #requiresGrad()} and grad mode is on (see {@link #noGrad()}), each op
 * records how to differentiate itself; {@link #backward()} then fills {@link #grad()} of every
 * leaf that requires grad. Grad mode is per thread.
 *
 * <p>This class is a thin facade: the ops live in small package-private classes grouped by kind
 * ({@code Elementwise}, {@code Activations}, {@code Reductions}, {@code Views}, {@code Joining},
 * {@code LinearAlgebra}, {@code Indexing}), each holding an op's forward and backward side by side.
 */
public final class Tensor {
    final Backend backend;
    final Storage storage;
    final int[] shape;
    final int[] strides;
    final int offset;
    final DType dtype;

    /** In-place writes to {@link #storage}; one counter shared by every tensor viewing that storage. */
    final VersionCounter version;

    boolean requiresGrad;
    Tensor grad;
    /** True while {@link #grad} is a buffer backward() created (not one the user set): zeroGrad() may free it. */
    boolean gradFromBackward;
    /** True once {@link #grad()} has returned the current {@link #grad}: its buffer is then the caller's too. */
    boolean gradHandedOut;
    /**
     * A gradient buffer that zeroGrad() dropped without anyone outside having seen it: the next
     * backward may write this tensor's new gradient into it instead of allocating one.
     */
    Tensor spareGrad;
    Node gradFn;

    /** A tensor on a new storage, at version 0. */
    Tensor(Backend backend, Storage storage, int[] shape, int[] strides, int offset) {
        this(backend, storage, shape, strides, offset, new VersionCounter());
    }

    /** A tensor on {@code storage}, sharing the version counter of the other tensors viewing it. */
    Tensor(Backend backend, Storage storage, int[] shape, int[] strides, int offset, VersionCounter version) {
        this.backend = backend;
        this.storage = storage;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
        this.dtype = storage.dtype();
        this.version = version;
    }

    /** Returns the strided view the backend primitives operate on. */
    View view() {
        return new View(storage, shape, strides, offset);
    }

    // ---------------------------------------------------------------- creation

    /**
     * Returns a FLOAT32 tensor on the default device holding a copy of {@code data} with the given shape; with no
     * shape, a 1-D tensor of {@code data.length} elements.
     *
     * @throws IllegalArgumentException if the shape does not hold exactly {@code data.length} elements
     */
    public static Tensor of(float[] data, int... shape) {
        return Creation.of(data, shape);
    }

    /** Returns a 0-d FLOAT32 tensor on the default device holding {@code value}. */
    public static Tensor scalar(float value) {
        return Creation.exact(new float[] {value}, new int[0]);
    }

    /** Returns an INT32 tensor on the default device holding a copy of {@code data}, e.g. class labels. */
    public static Tensor ofInts(int[] data, int... shape) {
        return Creation.ofInts(data, shape);
    }

    /** Returns a FLOAT32 tensor on the default device of zeros. */
    public static Tensor zeros(int... shape) {
        return Creation.full("zeros", 0f, shape);
    }

    /** Returns a FLOAT32 tensor on the default device of ones. */
    public static Tensor ones(int... shape) {
        return Creation.full("ones", 1f, shape);
    }

    /** Returns a FLOAT32 tensor on the default device with every element {@code value}. */
    public static Tensor full(float value, int... shape) {
        return Creation.full("full", value, shape);
    }

    /** Returns the FLOAT32 vector {@code [0, 1, ..., n-1]}. */
    public static Tensor arange(int n) {
        return Creation.arange(n);
    }

    /** Returns the {@code n x n} FLOAT32 identity matrix. */
    public static Tensor eye(int n) {
        return Creation.eye(n);
    }

    /** Returns a FLOAT32 tensor of uniform values in {@code [0, 1)} drawn from {@code g} (advances it). */
    public static Tensor rand(Generator g, int... shape) {
        return Creation.rand(g, shape);
    }

    /** Returns a FLOAT32 tensor of standard normal values drawn from {@code g} (advances it). */
    public static Tensor randn(Generator g, int... shape) {
        return Creation.randn(g, shape);
    }

    // ---------------------------------------------------------------- creation on a device
    //
    // Each factory below allocates (or uploads once) through the backend of the given device; none
    // creates on the CPU and copies. The no-device forms above mean Device.getDefault() (initially the CPU).

    /**
     * Returns a FLOAT32 tensor on {@code device} holding a copy of {@code data} with the given
     * shape (with no shape, a 1-D tensor of {@code data.length} elements), uploaded once.
     *
     * @throws IllegalArgumentException if the device is null or not available (the message says
     *                                  why), or the shape does not hold exactly {@code data.length} elements
     */
    public static Tensor of(Device device, float[] data, int... shape) {
        return Creation.of(Creation.backendFor("Tensor.of", device), data, shape);
    }

    /**
     * Returns a 0-d FLOAT32 tensor on {@code device} holding {@code value} (allocated and filled
     * there; nothing is copied from the host).
     *
     * @throws IllegalArgumentException if the device is null or not available
     */
    public static Tensor scalar(Device device, float value) {
        return Creation.full(Creation.backendFor("Tensor.scalar", device), value, new int[0]);
    }

    /**
     * Returns an INT32 tensor on {@code device} holding a copy of {@code data} (e.g. class labels).
     *
     * @throws IllegalArgumentException if the device is null or not available, or the shape does not fit the data
     */
    public static Tensor ofInts(Device device, int[] data, int... shape) {
        return Creation.ofInts(Creation.backendFor("Tensor.ofInts", device), data, shape);
    }

    /**
     * Returns a FLOAT32 tensor of zeros allocated on {@code device}.
     *
     * @throws IllegalArgumentException if the device is null or not available, or a size is negative
     */
    public static Tensor zeros(Device device, int... shape) {
        return Creation.full("zeros", Creation.backendFor("Tensor.zeros", device), 0f, shape);
    }

    /**
     * Returns a FLOAT32 tensor of ones allocated on {@code device}.
     *
     * @throws IllegalArgumentException if the device is null or not available, or a size is negative
     */
    public static Tensor ones(Device device, int... shape) {
        return Creation.full("ones", Creation.backendFor("Tensor.ones", device), 1f, shape);
    }

    /**
     * Returns a FLOAT32 tensor on {@code device} with every element {@code value}.
     *
     * @throws IllegalArgumentException if the device is null or not available, or a size is negative
     */
    public static Tensor full(Device device, float value, int... shape) {
        return Creation.full("full", Creation.backendFor("Tensor.full", device), value, shape);
    }

    /**
     * Returns the FLOAT32 vector {@code [0, 1, ..., n-1]} on {@code device}.
     *
     * @throws IllegalArgumentException if the device is null or not available, or {@code n < 0}
     */
    public static Tensor arange(Device device, int n) {
        return Creation.arange(Creation.backendFor("Tensor.arange", device), n);
    }

    /**
     * Returns the {@code n x n} FLOAT32 identity matrix on {@code device}.
     *
     * @throws IllegalArgumentException if the device is null or not available, or {@code n < 0}
     */
    public static Tensor eye(Device device, int n) {
        return Creation.eye(Creation.backendFor("Tensor.eye", device), n);
    }

    /**
     * Returns a FLOAT32 tensor on {@code device} of uniform values in {@code [0, 1)} drawn from
     * {@code g} (advances it) by the device with the counter-based stream of {@link Generator#reserve}:
     * the same numbers as {@link #rand(Generator, int...)} on every device.
     *
     * @throws IllegalArgumentException if the device is null or not available
     */
    public static Tensor rand(Generator g, Device device, int... shape) {
        return Creation.rand(Creation.backendFor("Tensor.rand", device), g, shape);
    }

    /**
     * Returns a FLOAT32 tensor on {@code device} of standard normal values drawn from {@code g}
     * (advances it): the same numbers as {@link #randn(Generator, int...)}, drawn on the host and
     * uploaded once.
     *
     * @throws IllegalArgumentException if the device is null or not available
     */
    public static Tensor randn(Generator g, Device device, int... shape) {
        return Creation.randn(Creation.backendFor("Tensor.randn", device), g, shape);
    }

    /**
     * Returns uniform values in {@code [0, 1)} with this tensor's shape, on its device, drawn from
     * {@code g} (advances it); the same numbers as {@link #rand(Generator, int...)} gives on the CPU.
     */
    public Tensor randLike(Generator g) {
        return Creation.randOn(backend, g, Shape.numel(shape), shape);
    }

    /** Returns a tensor of zeros with this tensor's shape, dtype and device. */
    public Tensor zerosLike() {
        return Creation.zerosLike(this);
    }

    /** Returns a tensor of ones with this tensor's shape and device (FLOAT32). */
    public Tensor onesLike() {
        return Creation.full(this.backend, 1f, shape);
    }

    /** Returns a FLOAT32 tensor with this tensor's shape and device, every element {@code value}. */
    public Tensor fullLike(float value) {
        return Creation.full(this.backend, value, shape);
    }

    /**
     * Returns standard normal values with this tensor's shape, on its device, drawn from {@code g}
     * (advances it); the same numbers as {@link #randn(Generator, int...)} gives on the CPU.
     */
    public Tensor randnLike(Generator g) {
        return Creation.randn(this.backend, g, shape);
    }

    // ---------------------------------------------------------------- properties

    /** Returns a copy of the shape. */
    public int[] shape() {
        return shape.clone();
    }

    /** Returns a copy of the strides, in elements. */
    public int[] strides() {
        return strides.clone();
    }

    /** Returns the number of dimensions (0 for a scalar). */
    public int dim() {
        return shape.length;
    }

    /** Returns the size of dimension {@code d}; negative {@code d} counts from the end. */
    public int size(int d) {
        return shape[Shape.normalizeDim("size", d, shape.length)];
    }

    /** Returns the number of elements. */
    public long numel() {
        return Shape.numel(shape);
    }

    /** Returns the element type. */
    public DType dtype() {
        return dtype;
    }

    /** Returns the device the data lives on. */
    public Device device() {
        return backend.device();
    }

    /** Returns true when the elements are dense and in row-major order. */
    public boolean isContiguous() {
        return view().isContiguous();
    }

    // ---------------------------------------------------------------- reading data

    /** Returns the elements in row-major order as a new float array (INT32 is converted). */
    public float[] toFloatArray() {
        return backend.readFloats(view());
    }

    /** Returns the elements in row-major order as a new int array (FLOAT32 is truncated toward 0). */
    public int[] toIntArray() {
        return backend.readInts(view());
    }

    /**
     * Returns the only element as a float.
     *
     * @throws IllegalArgumentException if the tensor does not have exactly one element
     */
    public float item() {
        if (numel() != 1) {
            throw new IllegalArgumentException("item: tensor of shape " + Shape.str(shape)
                    + " has " + numel() + " elements; item() needs exactly one");
        }
        return toFloatArray()[0];
    }

    /** Returns the element at {@code index} (one index per dimension) as a float. */
    public float get(int... index) {
        return Views.element(this, index).item();
    }

    // ---------------------------------------------------------------- arithmetic

    /** Returns {@code this + other} with broadcasting. */
    public Tensor add(Tensor other) {
        return Elementwise.binary(BinaryOp.ADD, this, other);
    }

    /** Returns {@code this + value}. */
    public Tensor add(float value) {
        return Elementwise.addScalar(this, value);
    }

    /** Returns {@code this - other} with broadcasting. */
    public Tensor sub(Tensor other) {
        return Elementwise.binary(BinaryOp.SUB, this, other);
    }

    /** Returns {@code this - value}. */
    public Tensor sub(float value) {
        return Elementwise.addScalar(this, -value);
    }

    /** Returns {@code value - this}. */
    public Tensor rsub(float value) {
        return Elementwise.rsubScalar(this, value);
    }

    /** Returns {@code this * other} elementwise with broadcasting. */
    public Tensor mul(Tensor other) {
        return Elementwise.binary(BinaryOp.MUL, this, other);
    }

    /** Returns {@code this * value}. */
    public Tensor mul(float value) {
        return Elementwise.mulScalar(this, value);
    }

    /** Returns {@code this / other} elementwise with broadcasting. */
    public Tensor div(Tensor other) {
        return Elementwise.binary(BinaryOp.DIV, this, other);
    }

    /** Returns {@code this / value}. */
    public Tensor div(float value) {
        return Elementwise.divScalar(this, value);
    }

    /** Returns {@code this ^ exponent} elementwise. */
    public Tensor pow(float exponent) {
        return Elementwise.powScalar(this, exponent);
    }

    /** Returns {@code this ^ exponent} elementwise with broadcasting. */
    public Tensor pow(Tensor exponent) {
        return Elementwise.binary(BinaryOp.POW, this, exponent);
    }

    /** Returns the elementwise maximum of this and {@code other} (broadcast). */
    public Tensor maximum(Tensor other) {
        return Elementwise.binary(BinaryOp.MAXIMUM, this, other);
    }

    /** Returns the elementwise minimum of this and {@code other} (broadcast). */
    public Tensor minimum(Tensor other) {
        return Elementwise.binary(BinaryOp.MINIMUM, this, other);
    }

    /** Returns this with every element limited to {@code [min, max]}. */
    public Tensor clamp(float min, float max) {
        return Elementwise.clamp(this, min, max);
    }

    /** Returns {@code -this}. */
    public Tensor neg() {
        return Elementwise.unary(UnaryOp.NEG, this);
    }

    /** Returns {@code e^this}. */
    public Tensor exp() {
        return Elementwise.unary(UnaryOp.EXP, this);
    }

    /** Returns the natural logarithm. */
    public Tensor log() {
        return Elementwise.unary(UnaryOp.LOG, this);
    }

    /** Returns the square root. */
    public Tensor sqrt() {
        return Elementwise.unary(UnaryOp.SQRT, this);
    }

    /** Returns {@code 1 / sqrt(this)}. */
    public Tensor rsqrt() {
        return Elementwise.unary(UnaryOp.RSQRT, this);
    }

    /** Returns {@code 1 / this}. */
    public Tensor reciprocal() {
        return Elementwise.unary(UnaryOp.RECIPROCAL, this);
    }

    /** Returns the absolute value. */
    public Tensor abs() {
        return Elementwise.unary(UnaryOp.ABS, this);
    }

    /** Returns -1, 0 or 1 by sign (its gradient is 0). */
    public Tensor sign() {
        return Elementwise.unary(UnaryOp.SIGN, this);
    }

    /** Returns {@code sin(this)}. */
    public Tensor sin() {
        return Elementwise.unary(UnaryOp.SIN, this);
    }

    /** Returns {@code cos(this)}. */
    public Tensor cos() {
        return Elementwise.unary(UnaryOp.COS, this);
    }

    /** Returns {@code this * this}. */
    public Tensor square() {
        return Elementwise.powScalar(this, 2f);
    }

    // ---------------------------------------------------------------- comparisons (not differentiable)

    /** Returns 1 where {@code this == other} (broadcast), else 0, as FLOAT32. */
    public Tensor eq(Tensor other) {
        return Elementwise.compare(BinaryOp.EQ, this, other);
    }

    /** Returns 1 where {@code this == value}, else 0. */
    public Tensor eq(float value) {
        return Elementwise.compare(BinaryOp.EQ, this, value);
    }

    /** Returns 1 where {@code this != other} (broadcast), else 0. */
    public Tensor ne(Tensor other) {
        return Elementwise.compare(BinaryOp.NE, this, other);
    }

    /** Returns 1 where {@code this != value}, else 0. */
    public Tensor ne(float value) {
        return Elementwise.compare(BinaryOp.NE, this, value);
    }

    /** Returns 1 where {@code this < other} (broadcast), else 0. */
    public Tensor lt(Tensor other) {
        return Elementwise.compare(BinaryOp.LT, this, other);
    }

    /** Returns 1 where {@code this < value}, else 0. */
    public Tensor lt(float value) {
        return Elementwise.compare(BinaryOp.LT, this, value);
    }

    /** Returns 1 where {@code this <= other} (broadcast), else 0. */
    public Tensor le(Tensor other) {
        return Elementwise.compare(BinaryOp.LE, this, other);
    }

    /** Returns 1 where {@code this <= value}, else 0. */
    public Tensor le(float value) {
        return Elementwise.compare(BinaryOp.LE, this, value);
    }

    /** Returns 1 where {@code this > other} (broadcast), else 0. */
    public Tensor gt(Tensor other) {
        return Elementwise.compare(BinaryOp.GT, this, other);
    }

    /** Returns 1 where {@code this > value}, else 0. */
    public Tensor gt(float value) {
        return Elementwise.compare(BinaryOp.GT, this, value);
    }

    /** Returns 1 where {@code this >= other} (broadcast), else 0. */
    public Tensor ge(Tensor other) {
        return Elementwise.compare(BinaryOp.GE, this, other);
    }

    /** Returns 1 where {@code this >= value}, else 0. */
    public Tensor ge(float value) {
        return Elementwise.compare(BinaryOp.GE, this, value);
    }

    /**
     * Returns {@code a} where {@code condition} is non-zero and {@code b} elsewhere, all three
     * broadcast together; differentiable in {@code a} and {@code b}.
     */
    public static Tensor where(Tensor condition, Tensor a, Tensor b) {
        return Elementwise.where(condition, a, b);
    }

    // ---------------------------------------------------------------- activations

    /** Returns {@code max(this, 0)}. */
    public Tensor relu() {
        return Activations.relu(this);
    }

    /** Returns {@code 1 / (1 + e^-this)}. */
    public Tensor sigmoid() {
        return Activations.sigmoid(this);
    }

    /** Returns {@code tanh(this)}. */
    public Tensor tanh() {
        return Activations.tanh(this);
    }

    /** Returns {@code x > 0 ? x : alpha * x}. */
    public Tensor leakyRelu(float alpha) {
        return Activations.leakyRelu(this, alpha);
    }

    /** Returns {@code x > 0 ? x : alpha * (e^x - 1)}. */
    public Tensor elu(float alpha) {
        return Activations.elu(this, alpha);
    }

    /** Returns the exact (erf-based) GELU {@code x * Phi(x)}, as PyTorch's default. */
    public Tensor gelu() {
        return Activations.gelu(this);
    }

    /** Returns {@code ln(1 + e^x)}, stable for large |x|. */
    public Tensor softplus() {
        return Activations.softplus(this);
    }

    /** Returns the softmax along {@code dim}; finite for logits of any size. */
    public Tensor softmax(int dim) {
        return Activations.softmax(this, dim, false);
    }

    /** Returns the log of the softmax along {@code dim}, computed stably. */
    public Tensor logSoftmax(int dim) {
        return Activations.softmax(this, dim, true);
    }

    // ---------------------------------------------------------------- reductions

    /** Returns the sum of all elements as a 0-d tensor. */
    public Tensor sum() {
        return Reductions.sumAll(this);
    }

    /** Returns the sum along {@code dim}, keeping it as size 1 when {@code keepDim}. */
    public Tensor sum(int dim, boolean keepDim) {
        return Reductions.sum(this, dim, keepDim);
    }

    /** Returns the mean of all elements as a 0-d tensor. */
    public Tensor mean() {
        return Reductions.meanAll(this);
    }

    /** Returns the mean along {@code dim}, keeping it as size 1 when {@code keepDim}. */
    public Tensor mean(int dim, boolean keepDim) {
        return Reductions.mean(this, dim, keepDim);
    }

    /**
     * Returns the variance along {@code dim}; {@code unbiased} divides by {@code n - 1} instead of
     * {@code n}.
     */
    public Tensor var(int dim, boolean keepDim, boolean unbiased) {
        return Reductions.var(this, dim, keepDim, unbiased);
    }

    /** Returns the largest element as a 0-d tensor. */
    public Tensor max() {
        return Reductions.maxAll(this, true);
    }

    /** Returns the smallest element as a 0-d tensor. */
    public Tensor min() {
        return Reductions.maxAll(this, false);
    }

    /** Returns the maximum values along {@code dim}; the gradient flows to the first maximum. */
    public Tensor max(int dim, boolean keepDim) {
        return Reductions.max(this, dim, keepDim, true);
    }

    /** Returns the minimum values along {@code dim}; the gradient flows to the first minimum. */
    public Tensor min(int dim, boolean keepDim) {
        return Reductions.max(this, dim, keepDim, false);
    }

    /** Returns the INT32 index of the first maximum along {@code dim} (the dim is removed). */
    public Tensor argmax(int dim) {
        return Reductions.argmax(this, dim, false, true);
    }

    /** Returns the INT32 index of the first maximum along {@code dim}, kept as size 1 when {@code keepDim}. */
    public Tensor argmax(int dim, boolean keepDim) {
        return Reductions.argmax(this, dim, keepDim, true);
    }

    /** Returns the INT32 index of the first minimum along {@code dim} (the dim is removed). */
    public Tensor argmin(int dim) {
        return Reductions.argmax(this, dim, false, false);
    }

    // ---------------------------------------------------------------- shape and views

    /**
     * Returns a tensor with the same elements in a new shape; one size may be -1 (inferred). A view
     * when the strides allow it, else a copy.
     */
    public Tensor reshape(int... newShape) {
        return Views.reshape(this, newShape);
    }

    /** Returns this as a 1-D tensor. */
    public Tensor flatten() {
        return Views.flatten(this, 0, -1);
    }

    /** Returns this with dimensions {@code startDim..endDim} merged into one. */
    public Tensor flatten(int startDim, int endDim) {
        return Views.flatten(this, startDim, endDim);
    }

    /** Returns the transpose of a matrix (a view); a 0-d or 1-D tensor is returned as is. */
    public Tensor t() {
        return Views.t(this);
    }

    /** Returns a view with dimensions {@code d0} and {@code d1} swapped. */
    public Tensor transpose(int d0, int d1) {
        return Views.transpose(this, d0, d1);
    }

    /** Returns a view with the dimensions in the order {@code dims}. */
    public Tensor permute(int... dims) {
        return Views.permute(this, dims);
    }

    /** Returns a view with a size-1 dimension inserted at {@code dim}. */
    public Tensor unsqueeze(int dim) {
        return Views.unsqueeze(this, dim);
    }

    /** Returns a view without dimension {@code dim} if its size is 1, else this tensor. */
    public Tensor squeeze(int dim) {
        return Views.squeeze(this, dim);
    }

    /** Returns a view without any size-1 dimensions. */
    public Tensor squeeze() {
        return Views.squeezeAll(this);
    }

    /**
     * Returns a view repeating size-1 dimensions to {@code newShape} (stride 0, no copy); -1 keeps
     * a size; new leading dimensions may be added.
     */
    public Tensor expand(int... newShape) {
        return Views.expand(this, newShape);
    }

    /** Returns the view of elements {@code start} (inclusive) to {@code end} (exclusive) along {@code dim}. */
    public Tensor slice(int dim, int start, int end) {
        return Views.slice(this, dim, start, end, 1);
    }

    /** Returns every {@code step}-th element from {@code start} to {@code end} along {@code dim}, as a view. */
    public Tensor slice(int dim, int start, int end, int step) {
        return Views.slice(this, dim, start, end, step);
    }

    /** Returns the view at position {@code index} along {@code dim}, with that dimension removed. */
    public Tensor select(int dim, int index) {
        return Views.select(this, dim, index);
    }

    /** Returns this if contiguous, else a row-major copy. */
    public Tensor contiguous() {
        return Views.contiguous(this);
    }

    /** Concatenates tensors of one shape except along {@code dim}. */
    public static Tensor cat(List<Tensor> tensors, int dim) {
        return Joining.cat(tensors, dim);
    }

    /** Stacks tensors of one shape along a new dimension {@code dim}. */
    public static Tensor stack(List<Tensor> tensors, int dim) {
        return Joining.stack(tensors, dim);
    }

    /** Splits into pieces of {@code size} along {@code dim} (the last may be smaller); views. */
    public List<Tensor> split(int size, int dim) {
        return Joining.split(this, size, dim);
    }

    /** Splits into {@code chunks} nearly equal pieces along {@code dim}; views. */
    public List<Tensor> chunk(int chunks, int dim) {
        return Joining.chunk(this, chunks, dim);
    }

    // ---------------------------------------------------------------- indexing

    /** Returns {@code out[...i...] = this[...index[...i...]...]} along {@code dim} (torch.gather). */
    public Tensor gather(int dim, Tensor index) {
        return Indexing.gather(this, dim, index);
    }

    /** Returns the entries at the INT32 positions {@code index} (1-D) along {@code dim}. */
    public Tensor indexSelect(int dim, Tensor index) {
        return Indexing.indexSelect(this, dim, index);
    }

    // ---------------------------------------------------------------- linear algebra

    /**
     * Matrix product with PyTorch's rules: dot product for two vectors, matrix-vector,
     * vector-matrix, matrix-matrix, and batched products with broadcast batch dimensions.
     */
    public Tensor matmul(Tensor other) {
        return LinearAlgebra.matmul(this, other);
    }

    /**
     * Returns {@code this · weight^T + bias}, PyTorch's {@code F.linear}, in one op: one output
     * allocated, and in backward the weight's gradient accumulated straight into the one it keeps
     * across {@code zeroGrad(false)}. Modifies nothing.
     *
     * @param weight {@code [out, in]}
     * @param bias   {@code [out]}, or null for none
     * @return a new tensor of shape {@code [..., out]} for this tensor of shape {@code [..., in]}
     * @throws IllegalArgumentException if the shapes, dtypes (FLOAT32) or devices do not fit, naming them
     */
    public Tensor linear(Tensor weight, Tensor bias) {
        return LinearAlgebra.linear(this, weight, bias);
    }

    /**
     * Returns {@code linear(weight, bias).relu()} with one result array instead of two: the
     * rectifier is written over the linear's fresh output, which no one else sees (its backward
     * does not read it). The values and every gradient have the bits of the two ops. Modifies
     * nothing the caller holds.
     *
     * @param weight {@code [out, in]}
     * @param bias   {@code [out]}, or null for none
     * @return a new tensor of shape {@code [..., out]} for this tensor of shape {@code [..., in]}
     * @throws IllegalArgumentException if the shapes, dtypes (FLOAT32) or devices do not fit, naming them
     */
    public Tensor linearRelu(Tensor weight, Tensor bias) {
        return Activations.reluOverOwn(LinearAlgebra.linear(this, weight, bias));
    }

    // ---------------------------------------------------------------- convolution and pooling

    /**
     * Returns the 2-D convolution (cross-correlation, as PyTorch's {@code conv2d}) of this {@code
     * [N, C, H, W]} input with {@code weight} {@code [OC, C/groups, kH, kW]} plus {@code bias}
     * {@code [OC]} (may be null): a new {@code [N, OC, outH, outW]} tensor with {@code outH = (H + 2
     * padding[0] - dilation[0] (kH - 1) - 1) / stride[0] + 1} (likewise the width). {@code stride},
     * {@code padding} and {@code dilation} are {@code {height, width}}; {@code groups == C} is a
     * depthwise convolution. Differentiable in the input, weight and bias.
     *
     * @throws IllegalArgumentException naming the op and the shapes when ranks, channel counts,
     *                                  groups or sizes do not fit
     */
    public Tensor conv2d(Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups) {
        return Convolution.conv2d(this, weight, bias, stride, padding, dilation, groups);
    }

    /**
     * Returns {@code conv2d(weight, bias, stride, padding, dilation, groups).relu()} with one result
     * array instead of two, as {@link #linearRelu}: the rectifier is written over the convolution's
     * fresh output, which its backward does not read. The values and every gradient have the bits of
     * the two ops. Modifies nothing the caller holds.
     *
     * @throws IllegalArgumentException as {@link #conv2d(Tensor, Tensor, int[], int[], int[], int)}
     */
    public Tensor conv2dRelu(Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups) {
        return Activations.reluOverOwn(Convolution.conv2d(this, weight, bias, stride, padding, dilation, groups));
    }

    /** Returns {@link #conv2d(Tensor, Tensor, int[], int[], int[], int)} with square stride and padding, no dilation, one group. */
    public Tensor conv2d(Tensor weight, Tensor bias, int stride, int padding) {
        return Convolution.conv2d(this, weight, bias, new int[] {stride, stride}, new int[] {padding, padding},
                new int[] {1, 1}, 1);
    }

    /**
     * Returns the 1-D convolution of this {@code [N, C, L]} input with {@code weight} {@code [OC,
     * C/groups, K]} plus {@code bias} {@code [OC]} (may be null): a new {@code [N, OC, outL]} tensor,
     * {@code outL = (L + 2 padding - dilation (K - 1) - 1) / stride + 1}. Differentiable.
     *
     * @throws IllegalArgumentException naming the op and the shapes when they do not fit
     */
    public Tensor conv1d(Tensor weight, Tensor bias, int stride, int padding, int dilation, int groups) {
        return Convolution.conv1d(this, weight, bias, stride, padding, dilation, groups);
    }

    /**
     * Returns the max pooling of this {@code [N, C, H, W]} tensor: each output is the largest
     * element of its {@code kernel} window ({@code {h, w}}), windows {@code stride} apart (null: the
     * kernel), with {@code padding} (at most half the kernel) that counts as -inf; a new {@code [N,
     * C, outH, outW]} tensor, {@code outH = (H + 2 padding[0] - kernel[0]) / stride[0] + 1}. The
     * gradient flows to the maximum (the first one on ties).
     *
     * @throws IllegalArgumentException naming the op and the shapes when the sizes do not fit
     */
    public Tensor maxPool2d(int[] kernel, int[] stride, int[] padding) {
        return Pooling.maxPool2d(this, kernel, stride, padding);
    }

    /**
     * Returns {@link #maxPool2d(int[], int[], int[])}, with the output size rounded up when {@code
     * ceilMode} (PyTorch's {@code ceil_mode}: {@code outH = ceil((H + 2 padding[0] - kernel[0]) /
     * stride[0]) + 1}, less one when that last window would start past the input and its top
     * padding); a window reaching past the input takes its maximum over the part inside.
     *
     * @throws IllegalArgumentException naming the op and the shapes when the sizes do not fit
     */
    public Tensor maxPool2d(int[] kernel, int[] stride, int[] padding, boolean ceilMode) {
        return Pooling.maxPool2d(this, kernel, stride, padding, ceilMode);
    }

    /** Returns {@link #maxPool2d(int[], int[], int[])} with a square {@code kernel}, stride {@code kernel}, no padding. */
    public Tensor maxPool2d(int kernel) {
        return Pooling.maxPool2d(this, new int[] {kernel, kernel}, null, new int[2]);
    }

    /**
     * Returns the average pooling of this {@code [N, C, H, W]} tensor over {@code kernel} windows
     * {@code stride} apart (null: the kernel) with zero {@code padding} (at most half the kernel);
     * {@code countIncludePad} divides by the full window size, else by the number of input elements
     * in the window. A new {@code [N, C, outH, outW]} tensor; differentiable.
     *
     * @throws IllegalArgumentException naming the op and the shapes when the sizes do not fit
     */
    public Tensor avgPool2d(int[] kernel, int[] stride, int[] padding, boolean countIncludePad) {
        return Pooling.avgPool2d(this, kernel, stride, padding, countIncludePad);
    }

    /**
     * Returns {@link #avgPool2d(int[], int[], int[], boolean)}, with the output size rounded up when
     * {@code ceilMode} (the rule of {@link #maxPool2d(int[], int[], int[], boolean)}); as in
     * PyTorch, the part of a window beyond the padded input is never counted in the divisor.
     *
     * @throws IllegalArgumentException naming the op and the shapes when the sizes do not fit
     */
    public Tensor avgPool2d(int[] kernel, int[] stride, int[] padding, boolean countIncludePad, boolean ceilMode) {
        return Pooling.avgPool2d(this, kernel, stride, padding, countIncludePad, ceilMode);
    }

    /** Returns {@link #avgPool2d(int[], int[], int[], boolean)} with a square {@code kernel}, stride {@code kernel}, no padding. */
    public Tensor avgPool2d(int kernel) {
        return Pooling.avgPool2d(this, new int[] {kernel, kernel}, null, new int[2], true);
    }

    /**
     * Returns the adaptive average pooling of this {@code [N, C, H, W]} tensor to a new {@code [N, C,
     * outH, outW]} tensor: output row {@code i} averages input rows {@code floor(i*H/outH)} to
     * {@code ceil((i+1)*H/outH) - 1} (likewise columns), as PyTorch's {@code adaptive_avg_pool2d}.
     *
     * @throws IllegalArgumentException if the input is not 4-D or an output size is below 1
     */
    public Tensor adaptiveAvgPool2d(int outH, int outW) {
        return Pooling.adaptiveAvgPool2d(this, outH, outW);
    }

    /** Returns the mean of each channel plane of this {@code [N, C, H, W]} tensor as a new {@code [N, C, 1, 1]} tensor. */
    public Tensor globalAvgPool2d() {
        return Pooling.globalAvgPool2d(this);
    }

    // ---------------------------------------------------------------- autograd

    /**
     * Marks this tensor as a leaf whose gradient is wanted (or not); returns this.
     *
     * @throws IllegalArgumentException for an INT32 tensor, or for a non-leaf asked to stop requiring grad
     */
    public Tensor requiresGrad(boolean requires) {
        if (requires && dtype != DType.FLOAT32) {
            throw new IllegalArgumentException("requiresGrad: only FLOAT32 tensors can require grad, this one is " + dtype);
        }
        if (!requires && gradFn != null) {
            throw new IllegalArgumentException("requiresGrad: this tensor is the result of '" + gradFn.op
                    + "'; use detach() to get a tensor outside the graph");
        }
        this.requiresGrad = requires;
        if (requires && gradFn == null) {
            ScopeFrame.persist(storage); // a leaf that requires grad is a parameter: it outlives memory scopes
        }
        return this;
    }

    /** Returns true when gradients flow to or through this tensor. */
    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Returns true for a tensor not produced by a recorded op. */
    public boolean isLeaf() {
        return gradFn == null;
    }

    /** Returns the name of the op that produced this tensor, or null for a leaf. */
    public String gradFnName() {
        return gradFn == null ? null : gradFn.toString();
    }

    /** Returns the gradient accumulated by {@link #backward()} calls, or null if none yet. */
    public Tensor grad() {
        gradHandedOut = grad != null;
        return grad;
    }

    /**
     * Returns the gradient, as {@link #grad()} does, to a caller that uses it only until the next
     * {@link #zeroGrad()} and keeps no reference to it (an optimizer's update, gradient clipping).
     * Unlike {@code grad()}, it leaves {@code zeroGrad()} free to keep the buffer, so that the next
     * {@code backward()} writes the new gradient into it rather than into newly allocated memory.
     *
     * @return the gradient, or null if none
     */
    public Tensor gradForUpdate() {
        return grad;
    }

    /** Replaces the gradient (null clears it, and drops a buffer {@link #zeroGrad()} kept); modifies this tensor. */
    public void setGrad(Tensor newGrad) {
        if (newGrad != null && !java.util.Arrays.equals(newGrad.shape, shape)) {
            throw new IllegalArgumentException("setGrad: gradient shape " + Shape.str(newGrad.shape)
                    + " differs from the tensor's shape " + Shape.str(shape));
        }
        this.grad = newGrad;
        this.gradFromBackward = false;
        this.spareGrad = null;
        if (newGrad != null) {
            ScopeFrame.persist(newGrad.storage);
        }
    }

    /**
     * Clears the gradient ({@link #grad()} returns null); modifies this tensor. A gradient that
     * {@code backward()} created is handed to the innermost open {@link MemoryScope}, which frees
     * it when it closes (keep it with {@code scope.keep(grad)} to use it longer): so training
     * steps in scopes do not leave one gradient buffer per parameter per step to the garbage
     * collector. Outside scopes, such a gradient that {@link #grad()} never returned (only
     * {@link #gradForUpdate()} did) is kept, and the next {@code backward()} writes into it where
     * it can (a linear layer's weight): the same values in memory allocated once. To free that
     * buffer as well, call {@code setGrad(null)}.
     */
    public void zeroGrad() {
        if (grad != null && gradFromBackward) {
            if (ScopeFrame.anyOpen()) {
                ScopeFrame.adopt(grad.storage);
            } else if (!gradHandedOut && grad.isContiguous()) {
                spareGrad = grad;
            }
        }
        this.grad = null;
        this.gradFromBackward = false;
        this.gradHandedOut = false;
    }

    /**
     * Back-propagates from this 0-d (or one-element) tensor; adds to {@link #grad()} of every leaf
     * that requires grad and frees the graph.
     */
    public void backward() {
        if (numel() != 1) {
            throw new IllegalArgumentException("backward: called without a gradient on a tensor of shape "
                    + Shape.str(shape) + "; pass backward(gradOutput) for non-scalar outputs");
        }
        Autograd.backward(this, Creation.full(backend, 1f, shape), false);
    }

    /** Back-propagates {@code gradOutput} (shaped like this tensor); frees the graph. */
    public void backward(Tensor gradOutput) {
        Autograd.backward(this, gradOutput, false);
    }

    /** Back-propagates {@code gradOutput}; keeps the graph for another backward when {@code retainGraph}. */
    public void backward(Tensor gradOutput, boolean retainGraph) {
        Autograd.backward(this, gradOutput, retainGraph);
    }

    /** Returns a tensor sharing this one's data but outside the graph (no grad). */
    public Tensor detach() {
        return new Tensor(backend, storage, shape, strides, offset, version);
    }

    /**
     * Returns how many in-place writes ({@code ...InPlace}, {@link #copyFrom}, {@link #fill}, fused
     * optimizer updates) this tensor's storage has seen, through this tensor or any view of it; as
     * PyTorch's {@code _version}. An op that saves a tensor for backward records this number, and
     * {@link #backward()} fails if it changed in between.
     */
    public int version() {
        return version.value;
    }

    /** Returns true when this tensor and {@code other} are views of the same memory (storage). */
    public boolean sharesStorage(Tensor other) {
        return storage == other.storage;
    }

    /**
     * Turns off recording on the current thread until the returned scope is closed:
     * {@code try (var ng = Tensor.noGrad()) { ... }}.
     */
    public static GradMode noGrad() {
        return new GradMode(false);
    }

    /** Turns recording back on inside a {@link #noGrad()} region until the returned scope is closed. */
    public static GradMode enableGrad() {
        return new GradMode(true);
    }

    // ---------------------------------------------------------------- in place (not recorded)

    /** Copies {@code src} (broadcast to this shape) into this tensor; modifies and returns this. */
    public Tensor copyFrom(Tensor src) {
        return InPlace.copyFrom(this, src);
    }

    /** Sets every element to {@code value}; modifies and returns this. */
    public Tensor fill(float value) {
        return InPlace.fill(this, value);
    }

    /** {@code this += other} (broadcast); modifies and returns this. */
    public Tensor addInPlace(Tensor other) {
        return InPlace.binary(BinaryOp.ADD, this, other);
    }

    /** {@code this += alpha * other} (broadcast); modifies and returns this. */
    public Tensor addInPlace(Tensor other, float alpha) {
        return alpha == 1f ? InPlace.binary(BinaryOp.ADD, this, other) : InPlace.axpy(this, other, alpha);
    }

    /** {@code this -= other} (broadcast); modifies and returns this. */
    public Tensor subInPlace(Tensor other) {
        return InPlace.binary(BinaryOp.SUB, this, other);
    }

    /** {@code this *= other} (broadcast); modifies and returns this. */
    public Tensor mulInPlace(Tensor other) {
        return InPlace.binary(BinaryOp.MUL, this, other);
    }

    /** {@code this *= value}; modifies and returns this. */
    public Tensor mulInPlace(float value) {
        return InPlace.unary(UnaryOp.MUL_SCALAR, value, this);
    }

    /** {@code this /= other} (broadcast); modifies and returns this. */
    public Tensor divInPlace(Tensor other) {
        return InPlace.binary(BinaryOp.DIV, this, other);
    }

    // ---------------------------------------------------------------- devices and types

    /** Returns this tensor on {@code device} (this tensor itself if it is already there); differentiable. */
    public Tensor to(Device device) {
        return Creation.toDevice(this, device);
    }

    /** Returns this tensor converted to {@code type} (itself if already of that type); not differentiable to INT32. */
    public Tensor to(DType type) {
        return Creation.toDType(this, type);
    }

    /** Returns the elements formatted like PyTorch, abbreviated for large tensors. */
    @Override
    public String toString() {
        return TensorFormat.format(this);
    }
}
