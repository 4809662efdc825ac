package dev.tessera;

import dev.tessera.spi.AdamSpec;
import dev.tessera.spi.SgdSpec;

/**
 * Multi-step operations that backends may run as one fused kernel: optimizer updates, which modify
 * their arguments in place and must run under {@link Tensor#noGrad()} when a tensor requires grad,
 * and dropout. Only {@link #dropout} is recorded by autograd.
 */
public final class Fused {
    private Fused() {
    }

    /**
     * Returns a dropout mask with the shape and device of {@code like}: each element is {@code keep}
     * where a uniform draw from {@code g} is at least {@code p}, else 0 (so {@code keep = 1/(1-p)}
     * gives inverted dropout in one multiply). Draws exactly the numbers {@code like.randLike(g)}
     * would, and advances {@code g} past them.
     *
     * @param like a tensor whose shape and device the mask takes; not modified
     * @param g    the generator; advanced by the number of elements
     * @param p    the probability of a zero, in {@code [0, 1]}
     * @param keep the value of the kept elements
     * @return a new FLOAT32 tensor, not requiring grad
     * @throws IllegalArgumentException if {@code p} is outside {@code [0, 1]}
     */
    public static Tensor dropoutMask(Tensor like, Generator g, float p, float keep) {
        if (!(p >= 0f && p <= 1f)) {
            throw new IllegalArgumentException("dropoutMask: p must be in [0, 1], got " + p);
        }
        Tensor mask = Kernels.uninitialised(like.backend, DType.FLOAT32, like.shape);
        like.backend.fillDropoutMask(mask.view(), g.reserve(Shape.numel(like.shape)), p, keep);
        return mask;
    }

    /**
     * Dropout as one op: returns {@code x * dropoutMask(x, g, p, keep)} with the mask's numbers
     * drawn from {@code g} as {@link #dropoutMask} would draw them (the same elements are dropped),
     * recorded by autograd. Nothing but the generator's state is kept for backward, which draws the
     * mask again; a backend computes each element in one pass instead of writing a mask and then
     * multiplying.
     *
     * @param x    the input; not modified
     * @param g    the generator; advanced by the number of elements
     * @param p    the probability of a zero, in {@code [0, 1]}
     * @param keep the factor of the kept elements, usually {@code 1 / (1 - p)}
     * @return a new FLOAT32 tensor of {@code x}'s shape
     * @throws IllegalArgumentException if {@code p} is outside {@code [0, 1]}
     */
    public static Tensor dropout(Tensor x, Generator g, float p, float keep) {
        if (x.dtype != DType.FLOAT32) {
            return x.mul(dropoutMask(x, g, p, keep));
        }
        if (!(p >= 0f && p <= 1f)) {
            throw new IllegalArgumentException("dropout: p must be in [0, 1], got " + p);
        }
        long state = g.reserve(Shape.numel(x.shape));
        Tensor out = Kernels.uninitialised(x.backend, DType.FLOAT32, x.shape);
        x.backend.dropout(Kernels.contiguous(x).view(), state, p, keep, out.view());
        return Autograd.record(out, "dropout", (grad, needs) -> {
            Tensor gc = Kernels.contiguous(Kernels.asFloat(grad));
            Tensor gx = Kernels.uninitialised(grad.backend, DType.FLOAT32, gc.shape);
            grad.backend.dropout(gc.view(), state, p, keep, gx.view());
            return new Tensor[] {gx};
        }, x);
    }

    /**
     * One Adam (or, with {@code spec.decoupled()}, AdamW) step: modifies {@code param}, {@code
     * expAvg} and {@code expAvgSq} (and bumps their {@link Tensor#version()}); {@code grad} is only
     * read. All must have one shape and device.
     *
     * @throws IllegalArgumentException for mismatched shapes, devices or dtypes
     */
    public static void adamUpdate(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, AdamSpec spec) {
        checkUpdate("adamUpdate", param, grad, expAvg, expAvgSq);
        param.version.bump();
        expAvg.version.bump();
        expAvgSq.version.bump();
        param.backend.adamUpdate(param.view(), grad.view(), expAvg.view(), expAvgSq.view(), spec);
    }

    /**
     * One SGD step (see {@link SgdSpec}): modifies {@code param} and, with momentum, {@code
     * buffer} (and bumps their {@link Tensor#version()}); {@code grad} is only read. All must have
     * one shape and device.
     *
     * @param buffer the momentum buffer; null when {@code spec.momentum()} is 0
     * @throws IllegalArgumentException for mismatched shapes, devices or dtypes, or a buffer missing
     *                                  with momentum (or given without)
     */
    public static void sgdUpdate(Tensor param, Tensor grad, Tensor buffer, SgdSpec spec) {
        if ((buffer == null) != (spec.momentum() == 0f)) {
            throw new IllegalArgumentException("sgdUpdate: momentum " + spec.momentum() + " needs "
                    + (spec.momentum() == 0f ? "no momentum buffer, but one was given" : "a momentum buffer, but none was given"));
        }
        if (buffer == null) {
            checkUpdate("sgdUpdate", param, grad);
        } else {
            checkUpdate("sgdUpdate", param, grad, buffer);
            buffer.version.bump();
        }
        param.version.bump();
        param.backend.sgdUpdate(param.view(), grad.view(), buffer == null ? null : buffer.view(), spec);
    }

    /**
     * Checks the arguments of an optimizer update: every tensor FLOAT32, of the parameter's shape and
     * device; those modified (all but the gradient, {@code others[0]}) not recorded by autograd.
     */
    private static void checkUpdate(String op, Tensor param, Tensor... others) {
        for (Tensor t : others) {
            Kernels.requireSameDevice(op, param, t);
            if (!java.util.Arrays.equals(t.shape, param.shape) || t.dtype != DType.FLOAT32 || param.dtype != DType.FLOAT32) {
                throw new IllegalArgumentException(op + ": tensor of shape " + Shape.str(t.shape) + " (" + t.dtype
                        + ") does not match the parameter " + Shape.str(param.shape) + " (" + param.dtype
                        + "); all must be FLOAT32");
            }
        }
        for (int i = -1; i < others.length; i++) {
            Tensor t = i < 0 ? param : others[i];
            if (i != 0 && t.requiresGrad && GradMode.isEnabled()) {
                throw new IllegalStateException(op + ": a tensor that requires grad cannot be modified in place while"
                        + " autograd records; wrap the update in try (var ng = Tensor.noGrad()) { ... }");
            }
        }
    }
}
