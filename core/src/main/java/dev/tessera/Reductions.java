package dev.tessera;

import dev.tessera.spi.ReduceOp;

/** Sums, means, variances, maxima and arg-maxima along one dimension or over all elements. */
final class Reductions {
    private Reductions() {
    }

    static Tensor sum(Tensor x, int dim, boolean keepDim) {
        if (x.dim() == 0) {
            return sum(x.reshape(1), 0, keepDim).reshape();
        }
        int d = Shape.normalizeDim("sum", dim, x.dim());
        Tensor out = Kernels.reduce(ReduceOp.SUM, x, d, keepDim);
        int[] inShape = x.shape;
        return Autograd.record(out, "sum", (g, needs) -> new Tensor[] {
            (keepDim ? g : g.unsqueeze(d)).expand(inShape)}, x);
    }

    static Tensor sumAll(Tensor x) {
        Tensor flat = Kernels.contiguous(x);
        Tensor out = Kernels.reduce(ReduceOp.SUM, Kernels.restride(flat, new int[] {Shape.numel(x.shape)}, new int[] {1}, flat.offset), 0, false);
        int[] inShape = x.shape;
        return Autograd.record(out, "sum", (g, needs) -> new Tensor[] {g.expand(inShape)}, x);
    }

    static Tensor mean(Tensor x, int dim, boolean keepDim) {
        int n = x.dim() == 0 ? 1 : x.shape[Shape.normalizeDim("mean", dim, x.dim())];
        return sum(x, dim, keepDim).mul(1f / n);
    }

    static Tensor meanAll(Tensor x) {
        return sumAll(x).mul(1f / Shape.numel(x.shape));
    }

    static Tensor var(Tensor x, int dim, boolean keepDim, boolean unbiased) {
        int d = Shape.normalizeDim("var", dim, x.dim());
        int n = x.shape[d];
        if (unbiased && n < 2) {
            throw new IllegalArgumentException("var: the unbiased variance needs at least 2 elements along dimension "
                    + dim + ", shape is " + Shape.str(x.shape));
        }
        Tensor centred = x.sub(x.mean(d, true));
        return centred.square().sum(d, keepDim).mul(1f / (unbiased ? n - 1 : n));
    }

    /** The max (or min) values along {@code dim}: the arg-max entries gathered, so backward routes to them. */
    static Tensor max(Tensor x, int dim, boolean keepDim, boolean isMax) {
        if (x.dim() == 0) {
            return x;
        }
        String op = isMax ? "max" : "min";
        int d = Shape.normalizeDim(op, dim, x.dim());
        requireNonEmpty(op, x, d);
        Tensor index = Kernels.reduce(isMax ? ReduceOp.ARGMAX : ReduceOp.ARGMIN, x, d, true);
        Tensor values = Indexing.gather(x, d, index);
        return keepDim ? values : values.squeeze(d);
    }

    static Tensor maxAll(Tensor x, boolean isMax) {
        if (x.numel() == 0) {
            String op = isMax ? "max" : "min";
            throw new IllegalArgumentException(op + ": tensor of shape " + Shape.str(x.shape) + " has no elements, and the "
                    + op + " of no elements is undefined");
        }
        return max(x.reshape(-1), 0, false, isMax);
    }

    static Tensor argmax(Tensor x, int dim, boolean keepDim, boolean isMax) {
        String op = isMax ? "argmax" : "argmin";
        if (x.dim() == 0) {
            return Kernels.empty(x.backend, DType.INT32, new int[0]); // index 0, on x's device
        }
        int d = Shape.normalizeDim(op, dim, x.dim());
        requireNonEmpty(op, x, d);
        return Kernels.reduce(isMax ? ReduceOp.ARGMAX : ReduceOp.ARGMIN, x, d, keepDim);
    }

    /**
     * Rejects reducing dimension {@code d} of size 0 with a reduction that has no value for no
     * elements (max, min and their indices), naming the op the caller called.
     */
    private static void requireNonEmpty(String op, Tensor x, int d) {
        if (x.shape[d] == 0) {
            throw new IllegalArgumentException(op + ": cannot reduce dimension " + d + " of size 0 in shape "
                    + Shape.str(x.shape));
        }
    }

    /**
     * Sums {@code g} down to {@code shape}, undoing broadcasting: extra leading dimensions are
     * summed away and dimensions where {@code shape} has size 1 are summed with keepDim. No autograd.
     */
    static Tensor sumToShape(Tensor g, int[] shape) {
        int lead = g.dim() - shape.length;
        if (lead < 0) {
            throw new IllegalStateException("sumToShape: gradient " + Shape.str(g.shape) + " has fewer dimensions than "
                    + Shape.str(shape));
        }
        Tensor r = g;
        if (lead > 0) {
            int[] merged = new int[shape.length + 1];
            merged[0] = 1;
            for (int d = 0; d < lead; d++) {
                merged[0] *= g.shape[d];
            }
            System.arraycopy(g.shape, lead, merged, 1, shape.length);
            Tensor c = Kernels.contiguous(r);
            r = Kernels.reduce(ReduceOp.SUM, Kernels.restride(c, merged, Shape.contiguousStrides(merged), c.offset), 0, false);
        }
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 1 && r.shape[d] != 1) {
                r = Kernels.reduce(ReduceOp.SUM, r, d, true);
            }
        }
        return r;
    }
}
