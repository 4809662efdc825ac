package dev.tessera;

import dev.tessera.spi.BinaryOp;
import dev.tessera.spi.View;
import java.util.Arrays;

/**
 * Shape ops that change shape, strides and offset but not data: each returns a view sharing the
 * input's storage (reshape copies only when the strides make a view impossible).
 */
final class Views {
    private Views() {
    }

    private static Tensor record(Tensor out, String op, Tensor x, Node.Backward backward) {
        return Autograd.record(out, op, backward, x);
    }

    /** Backward of any op that only rearranges the same elements into {@code x}'s shape. */
    private static Node.Backward reshapeBack(Tensor x) {
        int[] shape = x.shape;
        return (g, needs) -> new Tensor[] {g.reshape(shape)};
    }

    static Tensor reshape(Tensor x, int[] newShape) {
        int[] shape = inferShape(x, newShape);
        int[] strides = viewStrides(x.shape, x.strides, shape);
        Tensor out;
        if (strides != null) {
            out = Kernels.restride(x, shape, strides, x.offset);
        } else {
            Tensor c = Kernels.copyContiguous(x);
            out = Kernels.restride(c, shape, Shape.contiguousStrides(shape), 0);
        }
        return record(out, "reshape", x, reshapeBack(x));
    }

    private static int[] inferShape(Tensor x, int[] newShape) {
        int numel = Shape.numel(x.shape);
        int[] shape = newShape.clone();
        int inferred = -1;
        long known = 1;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == -1) {
                if (inferred >= 0) {
                    throw new IllegalArgumentException("reshape: only one dimension can be -1, got " + Shape.str(newShape));
                }
                inferred = d;
            } else if (shape[d] < 0) {
                throw new IllegalArgumentException("reshape: invalid size " + shape[d] + " in " + Shape.str(newShape));
            } else {
                known *= shape[d];
            }
        }
        if (inferred >= 0) {
            if (known == 0 || numel % known != 0) {
                throw new IllegalArgumentException("reshape: shape " + Shape.str(newShape) + " is invalid for "
                        + Shape.str(x.shape) + " (" + numel + " elements)");
            }
            shape[inferred] = (int) (numel / known);
        } else if (known != numel) {
            throw new IllegalArgumentException("reshape: shape " + Shape.str(newShape) + " (" + known + " elements) is invalid for "
                    + Shape.str(x.shape) + " (" + numel + " elements)");
        }
        return shape;
    }

    /** Strides that show {@code oldShape}'s elements in {@code newShape} without copying, or null (PyTorch's rule). */
    static int[] viewStrides(int[] oldShape, int[] oldStrides, int[] newShape) {
        int[] newStrides = new int[newShape.length];
        if (oldShape.length == 0 || Shape.numel(oldShape) == 0) {
            return Shape.contiguousStrides(newShape);
        }
        int viewD = newShape.length - 1;
        long chunkBaseStride = oldStrides[oldStrides.length - 1];
        long tensorNumel = 1;
        long viewNumel = 1;
        for (int tensorD = oldShape.length - 1; tensorD >= 0; tensorD--) {
            tensorNumel *= oldShape[tensorD];
            if (tensorD == 0 || (oldShape[tensorD - 1] != 1 && oldStrides[tensorD - 1] != tensorNumel * chunkBaseStride)) {
                while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] == 1)) {
                    newStrides[viewD] = (int) (viewNumel * chunkBaseStride);
                    viewNumel *= newShape[viewD];
                    viewD--;
                }
                if (viewNumel != tensorNumel) {
                    return null;
                }
                if (tensorD > 0) {
                    chunkBaseStride = oldStrides[tensorD - 1];
                    tensorNumel = 1;
                    viewNumel = 1;
                }
            }
        }
        return viewD == -1 ? newStrides : null;
    }

    static Tensor flatten(Tensor x, int startDim, int endDim) {
        if (x.dim() == 0) {
            return x.reshape(1);
        }
        int s = Shape.normalizeDim("flatten", startDim, x.dim());
        int e = Shape.normalizeDim("flatten", endDim, x.dim());
        if (s > e) {
            throw new IllegalArgumentException("flatten: startDim " + startDim + " comes after endDim " + endDim);
        }
        int[] shape = new int[x.dim() - (e - s)];
        int j = 0;
        for (int d = 0; d < s; d++) {
            shape[j++] = x.shape[d];
        }
        int merged = 1;
        for (int d = s; d <= e; d++) {
            merged *= x.shape[d];
        }
        shape[j++] = merged;
        for (int d = e + 1; d < x.dim(); d++) {
            shape[j++] = x.shape[d];
        }
        return reshape(x, shape);
    }

    static Tensor t(Tensor x) {
        if (x.dim() < 2) {
            return x;
        }
        if (x.dim() > 2) {
            throw new IllegalArgumentException("t: expects a tensor with at most 2 dimensions, got shape "
                    + Shape.str(x.shape) + "; use transpose(d0, d1)");
        }
        return transpose(x, 0, 1);
    }

    static Tensor transpose(Tensor x, int d0, int d1) {
        int a = Shape.normalizeDim("transpose", d0, x.dim());
        int b = Shape.normalizeDim("transpose", d1, x.dim());
        int[] shape = x.shape.clone();
        int[] strides = x.strides.clone();
        shape[a] = x.shape[b];
        shape[b] = x.shape[a];
        strides[a] = x.strides[b];
        strides[b] = x.strides[a];
        Tensor out = Kernels.restride(x, shape, strides, x.offset);
        return record(out, "transpose", x, (g, needs) -> new Tensor[] {g.transpose(a, b)});
    }

    static Tensor permute(Tensor x, int[] dims) {
        if (dims.length != x.dim()) {
            throw new IllegalArgumentException("permute: " + Shape.str(dims) + " has " + dims.length
                    + " dimensions but the tensor has " + x.dim() + " (shape " + Shape.str(x.shape) + ")");
        }
        int[] shape = new int[dims.length];
        int[] strides = new int[dims.length];
        int[] inverse = new int[dims.length];
        boolean[] used = new boolean[dims.length];
        for (int i = 0; i < dims.length; i++) {
            int d = Shape.normalizeDim("permute", dims[i], x.dim());
            if (used[d]) {
                throw new IllegalArgumentException("permute: dimension " + dims[i] + " appears twice in " + Shape.str(dims));
            }
            used[d] = true;
            shape[i] = x.shape[d];
            strides[i] = x.strides[d];
            inverse[d] = i;
        }
        Tensor out = Kernels.restride(x, shape, strides, x.offset);
        return record(out, "permute", x, (g, needs) -> new Tensor[] {g.permute(inverse)});
    }

    static Tensor unsqueeze(Tensor x, int dim) {
        int d = Shape.normalizeDim("unsqueeze", dim, x.dim() + 1);
        int[] shape = new int[x.dim() + 1];
        int[] strides = new int[x.dim() + 1];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (i == d) {
                shape[i] = 1;
                strides[i] = d < x.dim() ? x.shape[d] * x.strides[d] : 1;
            } else {
                shape[i] = x.shape[j];
                strides[i] = x.strides[j++];
            }
        }
        return record(Kernels.restride(x, shape, strides, x.offset), "unsqueeze", x, reshapeBack(x));
    }

    static Tensor squeeze(Tensor x, int dim) {
        if (x.dim() == 0) {
            return x;
        }
        int d = Shape.normalizeDim("squeeze", dim, x.dim());
        if (x.shape[d] != 1) {
            return x;
        }
        return record(Kernels.restride(x, remove(x.shape, d), remove(x.strides, d), x.offset), "squeeze", x, reshapeBack(x));
    }

    static Tensor squeezeAll(Tensor x) {
        int keep = 0;
        for (int s : x.shape) {
            keep += s == 1 ? 0 : 1;
        }
        int[] shape = new int[keep];
        int[] strides = new int[keep];
        for (int d = 0, j = 0; d < x.dim(); d++) {
            if (x.shape[d] != 1) {
                shape[j] = x.shape[d];
                strides[j++] = x.strides[d];
            }
        }
        return record(Kernels.restride(x, shape, strides, x.offset), "squeeze", x, reshapeBack(x));
    }

    private static int[] remove(int[] a, int index) {
        int[] r = new int[a.length - 1];
        System.arraycopy(a, 0, r, 0, index);
        System.arraycopy(a, index + 1, r, index, a.length - index - 1);
        return r;
    }

    static Tensor expand(Tensor x, int[] newShape) {
        if (newShape.length < x.dim()) {
            throw new IllegalArgumentException("expand: target " + Shape.str(newShape) + " has fewer dimensions than "
                    + Shape.str(x.shape));
        }
        int lead = newShape.length - x.dim();
        int[] shape = new int[newShape.length];
        int[] strides = new int[newShape.length];
        for (int d = 0; d < newShape.length; d++) {
            int want = newShape[d];
            if (d < lead) {
                if (want < 0) {
                    throw new IllegalArgumentException("expand: -1 is not allowed for the new leading dimension " + d
                            + " in " + Shape.str(newShape));
                }
                shape[d] = want;
                strides[d] = 0;
                continue;
            }
            int have = x.shape[d - lead];
            if (want == -1 || want == have) {
                shape[d] = have;
                strides[d] = x.strides[d - lead];
            } else if (have == 1 && want >= 0) {
                shape[d] = want;
                strides[d] = 0;
            } else {
                throw new IllegalArgumentException("expand: " + Shape.str(x.shape) + " -> " + Shape.str(newShape)
                        + ": size " + have + " at dimension " + (d - lead) + " must be 1 or equal " + want);
            }
        }
        if (Arrays.equals(shape, x.shape)) {
            return x;
        }
        // The engine sums the expanded gradient back down to x's shape.
        return record(Kernels.restride(x, shape, strides, x.offset), "expand", x, (g, needs) -> new Tensor[] {g});
    }

    static Tensor slice(Tensor x, int dim, int start, int end, int step) {
        int d = Shape.normalizeDim("slice", dim, x.dim());
        if (step <= 0) {
            throw new IllegalArgumentException("slice: step must be positive, got " + step);
        }
        int size = x.shape[d];
        // Python semantics: negative positions count from the end, out-of-range bounds are clamped.
        int s = Math.min(Math.max(start < 0 ? start + size : start, 0), size);
        int e = Math.min(Math.max(end < 0 ? end + size : end, s), size);
        int[] shape = x.shape.clone();
        int[] strides = x.strides.clone();
        shape[d] = e == s ? 0 : (e - s - 1) / step + 1;
        // With one element the stride is never used; keeping the old one avoids int overflow for huge steps.
        strides[d] = shape[d] <= 1 ? x.strides[d] : x.strides[d] * step;
        Tensor out = Kernels.restride(x, shape, strides, x.offset + (shape[d] == 0 ? 0 : s * x.strides[d]));
        int[] inShape = x.shape;
        int sliceStep = shape[d] <= 1 ? 1 : step;
        Tensor result = record(out, "slice", x, (g, needs) -> {
            Tensor full = Kernels.empty(g.backend, g.dtype, inShape);
            g.backend.copy(g.view(), Kernels.restride(full, shape, sliceStrides(full, d, sliceStep), s * full.strides[d]).view());
            return new Tensor[] {full};
        });
        if (result.gradFn != null) {
            // Several slices of one tensor (q, k, v of a joint projection): add into the gradient
            // the first slice allocated instead of a zero-filled full-size tensor per slice.
            result.gradFn.regionAdd = (inputGrad, g) -> {
                View region = Kernels.restride(inputGrad, shape, sliceStrides(inputGrad, d, sliceStep),
                        s * inputGrad.strides[d]).view();
                inputGrad.backend.binary(BinaryOp.ADD, region, g.view(), region);
            };
        }
        return result;
    }

    private static int[] sliceStrides(Tensor full, int d, int step) {
        int[] st = full.strides.clone();
        st[d] *= step;
        return st;
    }

    static Tensor select(Tensor x, int dim, int index) {
        int d = Shape.normalizeDim("select", dim, x.dim());
        int size = x.shape[d];
        int i = index < 0 ? index + size : index;
        if (i < 0 || i >= size) {
            throw new IllegalArgumentException("select: index " + index + " is out of range for dimension " + dim
                    + " of size " + size + " (shape " + Shape.str(x.shape) + ")");
        }
        return squeeze(slice(x, d, i, i + 1, 1), d);
    }

    static Tensor element(Tensor x, int[] index) {
        if (index.length != x.dim()) {
            throw new IllegalArgumentException("get: " + index.length + " indices for a tensor of shape " + Shape.str(x.shape));
        }
        int offset = x.offset;
        for (int d = 0; d < index.length; d++) {
            int i = index[d] < 0 ? index[d] + x.shape[d] : index[d];
            if (i < 0 || i >= x.shape[d]) {
                throw new IllegalArgumentException("get: index " + index[d] + " is out of range for dimension " + d
                        + " of size " + x.shape[d] + " (shape " + Shape.str(x.shape) + ")");
            }
            offset += i * x.strides[d];
        }
        return Kernels.restride(x, new int[0], new int[0], offset);
    }

    static Tensor contiguous(Tensor x) {
        if (x.isContiguous()) {
            return x;
        }
        return record(Kernels.copyContiguous(x), "contiguous", x, (g, needs) -> new Tensor[] {g});
    }
}
