package dev.tessera;

import dev.tessera.spi.BinaryOp;
import dev.tessera.spi.UnaryOp;

/**
 * Ops that overwrite a tensor's elements. They are not recorded by autograd, so they are refused
 * on a tensor that requires grad while grad mode is on (optimizers run under {@link Tensor#noGrad()}).
 * Each bumps the target's {@link VersionCounter}, so that a backward pass that needs the old values
 * fails instead of using the new ones.
 */
final class InPlace {
    private InPlace() {
    }

    private static void requireWritable(String op, Tensor t) {
        if (t.requiresGrad && GradMode.isEnabled()) {
            throw new IllegalStateException(op + ": a tensor that requires grad cannot be modified in place while"
                    + " autograd records; wrap the update in try (var ng = Tensor.noGrad()) { ... }");
        }
        for (int d = 0; d < t.dim(); d++) {
            if (t.strides[d] == 0 && t.shape[d] > 1) {
                throw new IllegalArgumentException(op + ": cannot write to an expanded view (shape " + Shape.str(t.shape)
                        + ", stride 0 at dimension " + d + ") whose elements share memory; make it contiguous() first");
            }
        }
    }

    private static void requireBroadcastsTo(String op, Tensor target, Tensor src) {
        Kernels.requireSameDevice(op, target, src);
        int[] shape = Shape.broadcast(op, target.shape, src.shape);
        if (!java.util.Arrays.equals(shape, target.shape)) {
            throw new IllegalArgumentException(op + ": source of shape " + Shape.str(src.shape)
                    + " does not broadcast to the target shape " + Shape.str(target.shape));
        }
    }

    /**
     * Returns {@code src}, or a private copy of it when it shares memory with {@code target} in
     * another layout: kernels write element by element, so an overlapping source could be read after
     * it was overwritten (e.g. {@code m.copyFrom(m.t())}).
     */
    private static Tensor unaliased(Tensor target, Tensor src) {
        boolean sameLayout = src.offset == target.offset && java.util.Arrays.equals(src.shape, target.shape)
                && java.util.Arrays.equals(src.strides, target.strides);
        return src.storage == target.storage && !sameLayout ? Kernels.copyContiguous(src) : src;
    }

    static Tensor copyFrom(Tensor target, Tensor src) {
        requireWritable("copyFrom", target);
        requireBroadcastsTo("copyFrom", target, src);
        target.version.bump();
        target.backend.copy(Kernels.expandedView(unaliased(target, src), target.shape), target.view());
        return target;
    }

    static Tensor fill(Tensor target, float value) {
        requireWritable("fill", target);
        target.version.bump();
        target.backend.fill(target.view(), value);
        return target;
    }

    static Tensor binary(BinaryOp op, Tensor target, Tensor other) {
        String name = op.label() + "InPlace";
        requireWritable(name, target);
        requireBroadcastsTo(name, target, other);
        requireFloat(name, target);
        target.version.bump();
        target.backend.binary(op, target.view(), Kernels.expandedView(unaliased(target, other), target.shape), target.view());
        return target;
    }

    /** {@code target += alpha * other} in one backend call. */
    static Tensor axpy(Tensor target, Tensor other, float alpha) {
        requireWritable("addInPlace", target);
        requireBroadcastsTo("addInPlace", target, other);
        requireFloat("addInPlace", target);
        target.version.bump();
        target.backend.axpy(Kernels.expandedView(Kernels.asFloat(unaliased(target, other)), target.shape), alpha, target.view());
        return target;
    }

    static Tensor unary(UnaryOp op, float param, Tensor target) {
        String name = op.label() + "InPlace";
        requireWritable(name, target);
        requireFloat(name, target);
        target.version.bump();
        target.backend.unary(op, param, target.view(), target.view());
        return target;
    }

    private static void requireFloat(String op, Tensor t) {
        if (t.dtype != DType.FLOAT32) {
            throw new IllegalArgumentException(op + ": needs a FLOAT32 target, got " + t.dtype);
        }
    }
}
