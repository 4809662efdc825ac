package dev.tessera.nn.optim;

import dev.tessera.GradMode;
import dev.tessera.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Gradient clipping, as PyTorch's {@code torch.nn.utils.clip_grad_norm_} and {@code
 * clip_grad_value_}: call it between {@code loss.backward()} and {@code optimizer.step()}. Both
 * modify the gradients of the given parameters in place (parameters without a gradient are
 * skipped) and run under no-grad.
 */
public final class GradClip {
    /** Added to the total norm in the clip coefficient, as PyTorch, so a zero norm does not divide by zero. */
    public static final float EPS = 1e-6f;

    private GradClip() {
    }

    /**
     * Scales all gradients by {@code maxNorm / (total + 1e-6)} when that is below 1, where {@code
     * total} is the 2-norm of all gradients taken together; modifies the gradients.
     *
     * <p>Returning a number reads the norm back from the gradients' device (a host synchronisation
     * on a GPU); {@link #clipGradNormTensor(List, float)} does the same without it.
     *
     * @return the total norm before clipping (may be infinite or NaN when a gradient is)
     * @throws IllegalArgumentException if {@code maxNorm} is negative or NaN
     */
    public static float clipGradNorm(List<Tensor> params, float maxNorm) {
        return clipGradNorm(params, maxNorm, 2f);
    }

    /**
     * Like {@link #clipGradNorm(List, float)} with the {@code normType}-norm: {@code (sum |g|^p)^(1/p)}
     * over all gradient elements, or their largest absolute value for {@code Float.POSITIVE_INFINITY}.
     * Calls {@link #clipGradNormTensor(List, float, float)} and reads its result once.
     *
     * @return the total norm before clipping
     * @throws IllegalArgumentException if {@code maxNorm} is negative or NaN, or {@code normType} is not positive
     */
    public static float clipGradNorm(List<Tensor> params, float maxNorm, float normType) {
        return clipGradNormTensor(params, maxNorm, normType).item();
    }

    /**
     * {@link #clipGradNorm(List, float)} without reading anything back to the host: the 2-norm and
     * the clip coefficient stay on the gradients' device. Modifies the gradients.
     *
     * @return the total norm before clipping, a 0-d tensor on the gradients' device
     * @throws IllegalArgumentException if {@code maxNorm} is negative or NaN
     */
    public static Tensor clipGradNormTensor(List<Tensor> params, float maxNorm) {
        return clipGradNormTensor(params, maxNorm, 2f);
    }

    /**
     * {@link #clipGradNorm(List, float, float)} without reading anything back to the host, for
     * training loops on a GPU: the total norm is reduced on the gradients' device and every gradient
     * is multiplied in place by {@code coef = min(1, maxNorm / (norm + 1e-6))}, computed there too (a
     * NaN norm gives {@code coef = 1}: the gradients are left as they are, as by the float variant).
     *
     * @return the total norm before clipping, a 0-d tensor on the gradients' device (0 on the
     *         default device when no parameter has a gradient)
     * @throws IllegalArgumentException if {@code maxNorm} is negative or NaN, or {@code normType} is not positive
     */
    public static Tensor clipGradNormTensor(List<Tensor> params, float maxNorm, float normType) {
        Objects.requireNonNull(params, "clipGradNorm: params must not be null");
        if (!(maxNorm >= 0f)) {
            throw new IllegalArgumentException("clipGradNorm: maxNorm must be >= 0, got " + maxNorm);
        }
        if (!(normType > 0f)) {
            throw new IllegalArgumentException("clipGradNorm: normType must be > 0 (or infinity), got " + normType);
        }
        List<Tensor> grads = grads(params);
        try (GradMode ignored = Tensor.noGrad()) {
            if (grads.isEmpty()) {
                return Tensor.scalar(0f);
            }
            Tensor total = null;
            boolean inf = normType == Float.POSITIVE_INFINITY;
            for (Tensor g : grads) {
                Tensor part;
                if (inf) {
                    part = g.abs().max();
                } else if (normType == 2f) {
                    part = g.square().sum();
                } else {
                    part = g.abs().pow(normType).sum();
                }
                total = total == null ? part : (inf ? total.maximum(part) : total.add(part));
            }
            Tensor norm = inf ? total : normType == 2f ? total.sqrt() : total.pow(1f / normType);
            // coef = maxNorm / (norm + eps), then min(1, coef) written so that a NaN gives 1.
            Tensor coef = Tensor.scalar(norm.device(), maxNorm).div(norm.add(EPS));
            coef = Tensor.where(coef.lt(1f), coef, Tensor.scalar(norm.device(), 1f));
            for (Tensor g : grads) {
                g.mulInPlace(coef);
            }
            return norm;
        }
    }

    /**
     * Limits every gradient element to {@code [-clipValue, clipValue]}; modifies the gradients.
     *
     * @throws IllegalArgumentException if {@code clipValue} is negative or NaN
     */
    public static void clipGradValue(List<Tensor> params, float clipValue) {
        Objects.requireNonNull(params, "clipGradValue: params must not be null");
        if (!(clipValue >= 0f)) {
            throw new IllegalArgumentException("clipGradValue: clipValue must be >= 0, got " + clipValue);
        }
        try (GradMode ignored = Tensor.noGrad()) {
            for (Tensor g : grads(params)) {
                g.copyFrom(g.clamp(-clipValue, clipValue));
            }
        }
    }

    private static List<Tensor> grads(List<Tensor> params) {
        List<Tensor> grads = new ArrayList<>();
        for (Tensor p : params) {
            Tensor g = p == null ? null : p.gradForUpdate(); // used in this call only
            if (g != null) {
                grads.add(g);
            }
        }
        return grads;
    }
}
