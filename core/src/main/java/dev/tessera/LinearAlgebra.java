package dev.tessera;

import dev.tessera.spi.View;

/** Matrix products with PyTorch's {@code matmul} rules. */
final class LinearAlgebra {
    private LinearAlgebra() {
    }

    static Tensor matmul(Tensor a, Tensor b) {
        if (a.dim() == 0 || b.dim() == 0) {
            throw new IllegalArgumentException("matmul: both arguments need at least 1 dimension, got shapes "
                    + Shape.str(a.shape) + " and " + Shape.str(b.shape));
        }
        Kernels.requireSameDevice("matmul", a, b);
        if (a.dtype != DType.FLOAT32 || b.dtype != DType.FLOAT32) {
            throw new IllegalArgumentException("matmul: needs FLOAT32 operands, got " + a.dtype + " and " + b.dtype);
        }
        Tensor a2 = a.dim() == 1 ? a.unsqueeze(0) : a;
        Tensor b2 = b.dim() == 1 ? b.unsqueeze(1) : b;
        int k = a2.shape[a2.dim() - 1];
        if (k != b2.shape[b2.dim() - 2]) {
            throw new IllegalArgumentException("matmul: " + Shape.str(a.shape) + " x " + Shape.str(b.shape)
                    + ": inner dimensions " + k + " and " + b2.shape[b2.dim() - 2] + " differ");
        }
        Tensor out;
        if (a2.dim() == 2 && b2.dim() == 2) {
            out = mm(a2, b2);
        } else if (b2.dim() == 2) {
            // [..., m, k] x [k, n]: fold the batch into the rows and run one large product.
            int[] outShape = a2.shape.clone();
            outShape[outShape.length - 1] = b2.shape[1];
            out = mm(a2.reshape(-1, k), b2).reshape(outShape);
        } else {
            int[] batchA = java.util.Arrays.copyOf(a2.shape, a2.dim() - 2);
            int[] batchB = java.util.Arrays.copyOf(b2.shape, b2.dim() - 2);
            int[] batch = Shape.broadcast("matmul", batchA, batchB);
            int count = Shape.numel(batch);
            int m = a2.shape[a2.dim() - 2];
            int n = b2.shape[b2.dim() - 1];
            Tensor a3 = a2.expand(concat(batch, m, k)).reshape(count, m, k);
            Tensor b3 = b2.expand(concat(batch, k, n)).reshape(count, k, n);
            out = mm(a3, b3).reshape(concat(batch, m, n));
        }
        if (a.dim() == 1) {
            out = out.squeeze(out.dim() - 2);
        }
        if (b.dim() == 1) {
            out = out.squeeze(out.dim() - 1);
        }
        return out;
    }

    private static int[] concat(int[] batch, int r, int c) {
        int[] s = java.util.Arrays.copyOf(batch, batch.length + 2);
        s[batch.length] = r;
        s[batch.length + 1] = c;
        return s;
    }

    /** {@code a x b} for two matrices, or two stacks {@code [B, m, k] x [B, k, n]}; differentiable. */
    static Tensor mm(Tensor a, Tensor b) {
        boolean batched = a.dim() == 3;
        int batch = batched ? a.shape[0] : 1;
        int m = a.shape[a.dim() - 2];
        int n = b.shape[b.dim() - 1];
        Tensor out = Kernels.uninitialised(a.backend, DType.FLOAT32, batched ? new int[] {batch, m, n} : new int[] {m, n});
        View cv = new View(out.storage, new int[] {batch, m, n}, new int[] {m * n, n, 1}, 0);
        a.backend.matmul(matrixView(a), matrixView(b), cv, false);
        // a is read for b's gradient and b for a's (gradientLike reads only the operand's strides).
        Tensor result = Autograd.record(out, "matmul", Autograd.saved(b.requiresGrad ? a : null, a.requiresGrad ? b : null),
                (g, needs) -> new Tensor[] {
            needs[0] ? gradientLike(a, g, b, true) : null,
            needs[1] ? gradientLike(b, a, g, false) : null}, a, b);
        if (result.gradFn != null && !batched) {
            // An operand whose gradient already has a buffer (a weight used at every step of a
            // recurrence, say) gets the product added into it by the GEMM itself (beta = 1).
            result.gradFn.gradInto = (input, g, dest, overwrite) -> {
                View d = matrixView(dest);
                if (overwrite || d.storage() != dest.storage) {
                    return false; // not a plain matrix, or the usual path's product may be laid out otherwise
                }
                if (input == 0) {
                    a.backend.matmul(matrixView(g), matrixView(b.t()), d, true);
                } else {
                    a.backend.matmul(matrixView(a.t()), matrixView(g), d, true);
                }
                return true;
            };
        }
        return result;
    }

    /**
     * {@code x · weight^T + bias} with PyTorch's layout ({@code x [..., in]}, {@code weight [out,
     * in]}, {@code bias [out]} or null): the output starts as the bias rows and the product is
     * accumulated onto it, so the op allocates one tensor where matmul-then-add allocates two. In
     * backward, the weight's gradient is accumulated by the product itself (beta = 1) into a
     * gradient the weight already has (one kept across {@code zeroGrad(false)}).
     */
    static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        if (weight.dim() != 2 || x.dim() == 0 || x.shape[x.dim() - 1] != weight.shape[1]
                || bias != null && (bias.dim() != 1 || bias.shape[0] != weight.shape[0])) {
            throw new IllegalArgumentException("linear: input " + Shape.str(x.shape) + ", weight "
                    + Shape.str(weight.shape) + (bias == null ? "" : ", bias " + Shape.str(bias.shape))
                    + ": expected input [..., in], weight [out, in] and bias [out]");
        }
        Kernels.requireSameDevice("linear", x, weight);
        if (bias != null) {
            Kernels.requireSameDevice("linear", x, bias);
        }
        if (x.dtype != DType.FLOAT32 || weight.dtype != DType.FLOAT32 || bias != null && bias.dtype != DType.FLOAT32) {
            throw new IllegalArgumentException("linear: needs FLOAT32 tensors, got input " + x.dtype + ", weight "
                    + weight.dtype + (bias == null ? "" : ", bias " + bias.dtype));
        }
        int in = weight.shape[1];
        int outFeatures = weight.shape[0];
        int[] outShape = x.shape.clone();
        outShape[outShape.length - 1] = outFeatures;
        Tensor x2;
        Tensor y;
        try (GradMode ignored = new GradMode(false)) { // the views below are not part of the graph
            x2 = x.reshape(-1, in);
            int rows = x2.shape[0];
            Tensor out = bias == null ? Kernels.uninitialised(x.backend, DType.FLOAT32, new int[] {rows, outFeatures})
                    : Kernels.copyContiguous(bias.expand(rows, outFeatures));
            x.backend.matmul(matrixView(x2), matrixView(weight.t()), matrixView(out), bias != null);
            y = out.reshape(outShape);
        }
        Tensor[] saved = Autograd.saved(weight.requiresGrad ? x2 : null, x.requiresGrad ? weight : null);
        Node.Backward rule = (g, needs) -> {
            Tensor g2 = g.reshape(-1, outFeatures);
            return new Tensor[] {
                needs[0] ? mm(g2, weight).reshape(x.shape) : null,
                needs[1] ? mm(g2.t(), x2) : null,
                needs.length > 2 && needs[2] ? g2.sum(0, false) : null};
        };
        Tensor result = bias == null ? Autograd.record(y, "linear", saved, rule, x, weight)
                : Autograd.record(y, "linear", saved, rule, x, weight, bias);
        if (result.gradFn != null) {
            result.gradFn.gradInto = (input, g, dest, overwrite) -> {
                if (input != 1) {
                    return false;
                }
                Tensor g2 = g.reshape(-1, outFeatures);
                // The same product as the backward rule's mm(g2.t(), x2): overwriting gives its bits.
                x.backend.matmul(matrixView(g2.t()), matrixView(x2), matrixView(dest), !overwrite);
                return true;
            };
        }
        return result;
    }

    /**
     * The gradient of one operand, {@code g x b^T} (left) or {@code a^T x g} (right), laid out like
     * that operand: when the operand is a transposed view (say the {@code weight.t()} of a linear
     * layer), the product is computed transposed, {@code (b x g^T)^T}, so that the gradient reaching
     * the leaf is contiguous and needs no copy. Both forms cost one GEMM.
     */
    private static Tensor gradientLike(Tensor operand, Tensor x, Tensor y, boolean left) {
        boolean columnMajor = operand.strides[operand.dim() - 2] == 1 && operand.strides[operand.dim() - 1] != 1;
        if (!columnMajor) {
            return left ? mm(x, y.transpose(-1, -2)) : mm(x.transpose(-1, -2), y);
        }
        return left ? mm(y, x.transpose(-1, -2)).transpose(-1, -2) : mm(y.transpose(-1, -2), x).transpose(-1, -2);
    }

    /**
     * A 3-D view {@code [batch, rows, cols]} of a matrix or stack of matrices in which each matrix
     * is row-major (column stride 1) or column-major (row stride 1), copying only when neither.
     * Strides of size-1 dimensions are normalised, since any value is valid for them.
     */
    private static View matrixView(Tensor t) {
        Tensor c = t;
        int rs = t.strides[t.dim() - 2];
        int cs = t.strides[t.dim() - 1];
        int rows = t.shape[t.dim() - 2];
        int cols = t.shape[t.dim() - 1];
        if (cols == 1) {
            cs = 1;
        }
        if (rows == 1) {
            rs = cs == 1 ? cols : 1;
        }
        // Either layout needs a leading dimension covering a whole row (or column); a broadcast
        // (stride 0) or overlapping matrix is copied.
        boolean rowMajor = cs == 1 && (rs >= cols || rows == 1);
        boolean colMajor = rs == 1 && (cs >= rows || cols == 1);
        if (!rowMajor && !colMajor) {
            c = Kernels.copyContiguous(t);
            rs = cols;
            cs = 1;
        }
        boolean batched = c.dim() == 3;
        int batchStride = batched ? c.strides[0] : 0;
        return new View(c.storage, new int[] {batched ? c.shape[0] : 1, rows, cols}, new int[] {batchStride, rs, cs}, c.offset);
    }
}
