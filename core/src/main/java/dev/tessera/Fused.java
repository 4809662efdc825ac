package dev.tessera;

import dev.tessera.spi.AdamSpec;

/**
 * Multi-step updates that backends may run as one fused kernel; used by optimizers. They modify
 * their arguments in place, are not recorded by autograd, and must run under {@link Tensor#noGrad()}
 * when a tensor requires grad.
 */
public final class Fused {
    private Fused() {
    }

    /**
     * One Adam (or, with {@code spec.decoupled()}, AdamW) step: modifies {@code param}, {@code
     * expAvg} and {@code expAvgSq}; {@code grad} is only read. All must have one shape and device.
     *
     * @throws IllegalArgumentException for mismatched shapes, devices or dtypes
     */
    public static void adamUpdate(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, AdamSpec spec) {
        for (Tensor t : new Tensor[] {grad, expAvg, expAvgSq}) {
            Kernels.requireSameDevice("adamUpdate", param, t);
            if (!java.util.Arrays.equals(t.shape, param.shape) || t.dtype != DType.FLOAT32) {
                throw new IllegalArgumentException("adamUpdate: tensor of shape " + Shape.str(t.shape) + " (" + t.dtype
                        + ") does not match the parameter " + Shape.str(param.shape) + " (FLOAT32)");
            }
        }
        for (Tensor t : new Tensor[] {param, expAvg, expAvgSq}) {
            if (t.requiresGrad && GradMode.isEnabled()) {
                throw new IllegalStateException("adamUpdate: a tensor that requires grad cannot be modified in place while"
                        + " autograd records; wrap the update in try (var ng = Tensor.noGrad()) { ... }");
            }
        }
        param.backend.adamUpdate(param.view(), grad.view(), expAvg.view(), expAvgSq.view(), spec);
    }
}
