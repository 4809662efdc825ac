package dev.tessera;

import java.util.ArrayList;
import java.util.List;

/** Concatenation, stacking and splitting. */
final class Joining {
    private Joining() {
    }

    static Tensor cat(List<Tensor> tensors, int dim) {
        if (tensors == null || tensors.isEmpty()) {
            throw new IllegalArgumentException("cat: needs at least one tensor");
        }
        Tensor first = tensors.get(0);
        if (first.dim() == 0) {
            throw new IllegalArgumentException("cat: zero-dimensional tensors cannot be concatenated; use stack");
        }
        int d = Shape.normalizeDim("cat", dim, first.dim());
        int total = 0;
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            Kernels.requireSameDevice("cat", first, t);
            if (t.dtype != first.dtype) {
                throw new IllegalArgumentException("cat: tensor " + i + " is " + t.dtype + " but tensor 0 is " + first.dtype);
            }
            if (t.dim() != first.dim()) {
                throw new IllegalArgumentException("cat: tensor " + i + " has shape " + Shape.str(t.shape)
                        + " but tensor 0 has shape " + Shape.str(first.shape) + " (different number of dimensions)");
            }
            for (int k = 0; k < t.dim(); k++) {
                if (k != d && t.shape[k] != first.shape[k]) {
                    throw new IllegalArgumentException("cat: tensor " + i + " has shape " + Shape.str(t.shape)
                            + " but tensor 0 has shape " + Shape.str(first.shape) + "; sizes must match except in dimension " + d);
                }
            }
            total += t.shape[d];
        }
        int[] shape = first.shape.clone();
        shape[d] = total;
        Tensor out = Kernels.empty(first.backend, first.dtype, shape);
        int[] starts = new int[tensors.size()];
        int pos = 0;
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            starts[i] = pos;
            Tensor dst = Kernels.restride(out, t.shape, out.strides, pos * out.strides[d]);
            first.backend.copy(t.view(), dst.view());
            pos += t.shape[d];
        }
        Tensor[] inputs = tensors.toArray(new Tensor[0]);
        return Autograd.record(out, "cat", (g, needs) -> {
            Tensor[] grads = new Tensor[inputs.length];
            for (int i = 0; i < inputs.length; i++) {
                if (needs[i]) {
                    grads[i] = g.slice(d, starts[i], starts[i] + inputs[i].shape[d]);
                }
            }
            return grads;
        }, inputs);
    }

    static Tensor stack(List<Tensor> tensors, int dim) {
        if (tensors == null || tensors.isEmpty()) {
            throw new IllegalArgumentException("stack: needs at least one tensor");
        }
        Tensor first = tensors.get(0);
        int d = Shape.normalizeDim("stack", dim, first.dim() + 1);
        List<Tensor> expanded = new ArrayList<>(tensors.size());
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            if (!java.util.Arrays.equals(t.shape, first.shape)) {
                throw new IllegalArgumentException("stack: tensor " + i + " has shape " + Shape.str(t.shape)
                        + " but tensor 0 has shape " + Shape.str(first.shape) + "; all must be equal");
            }
            expanded.add(t.unsqueeze(d));
        }
        return cat(expanded, d);
    }

    static List<Tensor> split(Tensor x, int size, int dim) {
        int d = Shape.normalizeDim("split", dim, x.dim());
        if (size <= 0) {
            throw new IllegalArgumentException("split: size must be positive, got " + size);
        }
        List<Tensor> parts = new ArrayList<>();
        for (int start = 0; start < x.shape[d]; start += size) {
            parts.add(x.slice(d, start, Math.min(start + size, x.shape[d])));
        }
        return parts;
    }

    static List<Tensor> chunk(Tensor x, int chunks, int dim) {
        if (chunks <= 0) {
            throw new IllegalArgumentException("chunk: chunks must be positive, got " + chunks);
        }
        int d = Shape.normalizeDim("chunk", dim, x.dim());
        int size = Math.max(1, (x.shape[d] + chunks - 1) / chunks);
        return split(x, size, d);
    }
}
