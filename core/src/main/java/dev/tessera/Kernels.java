package dev.tessera;

import dev.tessera.spi.Backend;
import dev.tessera.spi.BinaryOp;
import dev.tessera.spi.ReduceOp;
import dev.tessera.spi.UnaryOp;
import dev.tessera.spi.View;

/**
 * Raw tensor computations on the backend, without autograd: allocation, broadcasting and dtype
 * rules, then one primitive call. The differentiable ops in the other classes are built on these.
 */
final class Kernels {
    /** Whether {@link #uninitialised} fills what it allocates (see there). */
    private static final boolean POISON = Boolean.getBoolean("tessera.poisonUninitialised");
    /** What {@link #uninitialised} fills INT32 tensors with under {@code tessera.poisonUninitialised}. */
    static final int POISON_INT = -1_000_000_000;

    private Kernels() {
    }

    /** Returns a new zero-filled contiguous tensor. */
    static Tensor empty(Backend backend, DType dtype, int[] shape) {
        int[] s = shape.clone();
        return new Tensor(backend, backend.allocate(dtype, Shape.numel(s)), s, Shape.contiguousStrides(s), 0);
    }

    /**
     * Like {@link #empty}, for an output that the next kernel overwrites in full: its contents are
     * unspecified (see {@link Backend#allocateUninitialised}), or NaN (INT32: {@link #POISON_INT})
     * when the system property {@code tessera.poisonUninitialised} is true, as the tests set it, so
     * that a kernel that leaves part of such an output unwritten shows up as NaN, not as a lucky zero.
     */
    static Tensor uninitialised(Backend backend, DType dtype, int[] shape) {
        int[] s = shape.clone();
        Tensor t = new Tensor(backend, backend.allocateUninitialised(dtype, Shape.numel(s)), s,
                Shape.contiguousStrides(s), 0);
        if (POISON && t.storage.length() > 0) {
            backend.fill(t.view(), dtype == DType.FLOAT32 ? Float.NaN : POISON_INT);
        }
        return t;
    }

    /** Returns a view of {@code t} with the same data seen through other shape/strides/offset. */
    static Tensor restride(Tensor t, int[] shape, int[] strides, int offset) {
        return new Tensor(t.backend, t.storage, shape, strides, offset, t.version);
    }

    /** Returns {@code t} broadcast to {@code shape} as a stride-0 view (no autograd, no checks beyond broadcasting). */
    static View expandedView(Tensor t, int[] shape) {
        if (java.util.Arrays.equals(t.shape, shape)) {
            return t.view();
        }
        int[] strides = new int[shape.length];
        int lead = shape.length - t.shape.length;
        for (int d = 0; d < t.shape.length; d++) {
            strides[d + lead] = t.shape[d] == 1 && shape[d + lead] != 1 ? 0 : t.strides[d];
        }
        return new View(t.storage, shape, strides, t.offset);
    }

    /** Throws unless both tensors live on the same device. */
    static void requireSameDevice(String op, Tensor a, Tensor b) {
        if (a.backend != b.backend) {
            throw new IllegalArgumentException(op + ": tensors are on different devices, " + a.device() + " and "
                    + b.device() + "; move one with to(Device)");
        }
    }

    /** Returns {@code t} as FLOAT32 (itself if it already is). */
    static Tensor asFloat(Tensor t) {
        if (t.dtype == DType.FLOAT32) {
            return t;
        }
        Tensor out = uninitialised(t.backend, DType.FLOAT32, t.shape);
        t.backend.copy(t.view(), out.view());
        return out;
    }

    static Tensor unary(UnaryOp op, float param, Tensor x) {
        Tensor xf = asFloat(x);
        Tensor out = uninitialised(xf.backend, DType.FLOAT32, xf.shape);
        xf.backend.unary(op, param, xf.view(), out.view());
        return out;
    }

    /** {@code op(a, b)} with broadcasting; INT32 only for integer arithmetic on two INT32 inputs. */
    static Tensor binary(BinaryOp op, Tensor a, Tensor b) {
        String name = op.label();
        requireSameDevice(name, a, b);
        int[] shape = Shape.broadcast(name, a.shape, b.shape);
        boolean intResult = a.dtype == DType.INT32 && b.dtype == DType.INT32
                && (op == BinaryOp.ADD || op == BinaryOp.SUB || op == BinaryOp.MUL
                        || op == BinaryOp.MAXIMUM || op == BinaryOp.MINIMUM);
        Tensor out = uninitialised(a.backend, intResult ? DType.INT32 : DType.FLOAT32, shape);
        a.backend.binary(op, expandedView(a, shape), expandedView(b, shape), out.view());
        return out;
    }

    static Tensor add(Tensor a, Tensor b) {
        return binary(BinaryOp.ADD, a, b);
    }

    static Tensor mul(Tensor a, Tensor b) {
        return binary(BinaryOp.MUL, a, b);
    }

    /** Returns a new contiguous copy of {@code x}. */
    static Tensor copyContiguous(Tensor x) {
        Tensor out = uninitialised(x.backend, x.dtype, x.shape);
        x.backend.copy(x.view(), out.view());
        return out;
    }

    /** Returns {@code x} if contiguous, else a contiguous copy. */
    static Tensor contiguous(Tensor x) {
        return x.isContiguous() ? x : copyContiguous(x);
    }

    /** Returns the shape of a reduction of {@code shape} along {@code dim}. */
    static int[] reducedShape(int[] shape, int dim, boolean keepDim) {
        if (keepDim) {
            int[] s = shape.clone();
            s[dim] = 1;
            return s;
        }
        int[] s = new int[shape.length - 1];
        for (int d = 0, j = 0; d < shape.length; d++) {
            if (d != dim) {
                s[j++] = shape[d];
            }
        }
        return s;
    }

    /** The product of the sizes before {@code dim}: the outer count of a {@code [outer, n, inner]} view. */
    private static int sizeBefore(int[] shape, int dim) {
        int size = 1;
        for (int d = 0; d < dim; d++) {
            size *= shape[d];
        }
        return size;
    }

    /** The product of the sizes after {@code dim}: the inner count of a {@code [outer, n, inner]} view. */
    private static int sizeAfter(int[] shape, int dim) {
        int size = 1;
        for (int d = dim + 1; d < shape.length; d++) {
            size *= shape[d];
        }
        return size;
    }

    /** Reduces {@code x} along the (already normalised) {@code dim}. */
    static Tensor reduce(ReduceOp op, Tensor x, int dim, boolean keepDim) {
        Tensor xc = contiguous(op == ReduceOp.SUM && x.dtype == DType.INT32 ? x : asFloat(x));
        int outer = sizeBefore(xc.shape, dim);
        int inner = sizeAfter(xc.shape, dim);
        int n = xc.shape[dim];
        if (n == 0 && op != ReduceOp.SUM) {
            throw new IllegalArgumentException(op.name().toLowerCase(java.util.Locale.ROOT)
                    + ": cannot reduce dimension " + dim + " of size 0 in shape " + Shape.str(x.shape));
        }
        DType outType = op == ReduceOp.ARGMAX || op == ReduceOp.ARGMIN ? DType.INT32 : xc.dtype;
        Tensor out = empty(xc.backend, outType, reducedShape(xc.shape, dim, keepDim));
        xc.backend.reduce(op, xc.storage, xc.offset, outer, n, inner, out.storage, 0);
        return out;
    }

    /** Softmax or log-softmax along the (already normalised) {@code dim}. */
    static Tensor softmax(Tensor x, int dim, boolean log) {
        Tensor xc = contiguous(asFloat(x));
        int outer = sizeBefore(xc.shape, dim);
        int inner = sizeAfter(xc.shape, dim);
        Tensor out = uninitialised(xc.backend, DType.FLOAT32, xc.shape);
        xc.backend.softmax(xc.storage, xc.offset, outer, xc.shape[dim], inner, out.storage, 0, log);
        return out;
    }

    /**
     * The gradient of {@link #softmax} along {@code dim} from its output {@code y} (contiguous, as
     * {@link #softmax} returns it) and the output gradient {@code g}.
     */
    static Tensor softmaxBackward(Tensor y, Tensor g, int dim, boolean log) {
        Tensor gc = contiguous(asFloat(g));
        int outer = sizeBefore(y.shape, dim);
        int inner = sizeAfter(y.shape, dim);
        Tensor gx = uninitialised(y.backend, DType.FLOAT32, y.shape);
        y.backend.softmaxBackward(y.storage, y.offset, gc.storage, gc.offset, outer, y.shape[dim], inner,
                gx.storage, 0, log);
        return gx;
    }

    /** {@code cond != 0 ? a : b} with broadcasting. */
    static Tensor where(Tensor cond, Tensor a, Tensor b) {
        requireSameDevice("where", cond, a);
        requireSameDevice("where", a, b);
        int[] shape = Shape.broadcast("where", Shape.broadcast("where", cond.shape, a.shape), b.shape);
        Tensor af = asFloat(a);
        Tensor bf = asFloat(b);
        Tensor out = uninitialised(a.backend, DType.FLOAT32, shape);
        a.backend.where(expandedView(cond, shape), expandedView(af, shape), expandedView(bf, shape), out.view());
        return out;
    }
}
