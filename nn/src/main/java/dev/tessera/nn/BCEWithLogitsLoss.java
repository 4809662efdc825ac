package dev.tessera.nn;

import dev.tessera.DType;
import dev.tessera.Device;
import dev.tessera.GradMode;
import dev.tessera.Shape;
import dev.tessera.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Binary cross-entropy on logits, as PyTorch's {@code BCEWithLogitsLoss}: for a logit {@code z} and
 * a target {@code t} in {@code [0, 1]} the loss is
 * {@code -[p * t * log(sigmoid(z)) + (1 - t) * log(1 - sigmoid(z))]}, computed without overflow as
 * {@code (1 - t) * z + (1 + (p - 1) * t) * softplus(-z)}, which for {@code p = 1} is
 * {@code max(z, 0) - z * t + log(1 + exp(-|z|))}: finite and exact for any {@code |z|}.
 *
 * <p>{@code posWeight} {@code p} (optional, broadcast against the logits, typically {@code [C]}
 * for the last dimension) weighs the positive term; {@code weight} (optional, broadcast) rescales
 * each element's loss. Logits and targets must be FLOAT32 tensors of one shape. A standalone class
 * (two inputs), with no parameters.
 */
public final class BCEWithLogitsLoss {
    private final Tensor weight;
    private final Tensor posWeight;
    private final Reduction reduction;

    /** Creates the loss with the mean reduction and no weights. */
    public BCEWithLogitsLoss() {
        this(null, null, Reduction.MEAN);
    }

    /** Creates the loss with the given reduction and no weights. */
    public BCEWithLogitsLoss(Reduction reduction) {
        this(null, null, reduction);
    }

    /**
     * Creates the loss.
     *
     * @param weight    per-element rescaling weight broadcast against the logits, or null (not copied)
     * @param posWeight weight of the positive examples broadcast against the logits, or null (not copied)
     * @param reduction how the per-element losses are reduced
     */
    public BCEWithLogitsLoss(Tensor weight, Tensor posWeight, Reduction reduction) {
        this.weight = weight;
        this.posWeight = posWeight;
        this.reduction = Objects.requireNonNull(reduction, "BCEWithLogitsLoss: reduction must not be null");
    }

    /**
     * Returns the loss of {@code logits} against {@code targets}; modifies neither.
     *
     * @throws IllegalArgumentException if they are not FLOAT32 tensors of one shape or a weight does not broadcast
     */
    public Tensor forward(Tensor logits, Tensor targets) {
        return compute(logits, targets, weight, posWeight, reduction);
    }

    /** Returns the reduction. */
    public Reduction reduction() {
        return reduction;
    }

    /** Returns the per-element weight, or null. */
    public Tensor weight() {
        return weight;
    }

    /** Returns the positive-example weight, or null. */
    public Tensor posWeight() {
        return posWeight;
    }

    /** The functional form behind {@link F#binaryCrossEntropyWithLogits}. */
    static Tensor compute(Tensor z, Tensor t, Tensor weight, Tensor posWeight, Reduction reduction) {
        String op = "binaryCrossEntropyWithLogits";
        MSELoss.requireSameShape(op, z, t);
        Objects.requireNonNull(reduction, op + ": reduction must not be null");
        Tensor softplusNegZ = z.neg().softplus(); // log(1 + e^-z) = -log(sigmoid(z)), stable
        Tensor loss;
        if (posWeight == null) {
            loss = t.rsub(1f).mul(z).add(softplusNegZ);
        } else {
            requireBroadcasts(op, "posWeight", posWeight, z);
            Tensor logWeight = posWeight.sub(1f).mul(t).add(1f);
            loss = t.rsub(1f).mul(z).add(logWeight.mul(softplusNegZ));
        }
        if (weight != null) {
            requireBroadcasts(op, "weight", weight, z);
            loss = loss.mul(weight);
        }
        return reduction.apply(loss);
    }

    /**
     * The functional form behind {@link F#binaryCrossEntropy}: {@code -w * [t * log(p) + (1 - t) *
     * log(1 - p)]} with each log clamped to {@code >= -100} as in PyTorch. Checks first that every
     * element of {@code p} and {@code t} lies in {@code [0, 1]} (see {@link #requireProbabilities}).
     */
    static Tensor probabilities(Tensor p, Tensor t, Tensor weight, Reduction reduction) {
        String op = "binaryCrossEntropy";
        MSELoss.requireSameShape(op, p, t);
        Objects.requireNonNull(reduction, op + ": reduction must not be null");
        requireProbabilities(op, p, t);
        Tensor loss = t.mul(clampedLog(p)).add(t.rsub(1f).mul(clampedLog(p.rsub(1f)))).neg();
        if (weight != null) {
            requireBroadcasts(op, "weight", weight, p);
            loss = loss.mul(weight);
        }
        return reduction.apply(loss);
    }

    /**
     * Checks that every element of {@code p} and {@code t} lies in {@code [0, 1]}, as PyTorch's
     * {@code binary_cross_entropy} does ("all elements of input should be between 0 and 1"); a NaN
     * fails too. Nothing is recorded for autograd. Empty tensors are not checked.
     *
     * <p>On the CPU the minimum and maximum of each tensor are reduced and read back (a plain memory
     * access there), and a failure names the offending element at once. On other devices nothing is
     * read back: the check runs on the device and ends in a one-element {@code indexSelect} whose
     * index is 0 when both tensors are in range, 1 when the input is not, 2 when the target is not
     * (3: both); the backend reports an index other than 0 as out of range for a dimension of size
     * 1, a GPU backend possibly only at the next read-back (PyTorch checks inside its CUDA kernel
     * with a device-side assert, which the backend SPI does not offer).
     *
     * @throws IllegalArgumentException naming {@code op}, the tensor, the first offending value and its position
     */
    private static void requireProbabilities(String op, Tensor p, Tensor t) {
        if (p.numel() == 0) {
            return;
        }
        try (GradMode ignored = Tensor.noGrad()) {
            // Written as !(in range) so that a NaN extreme (min and max propagate NaN) fails too.
            if (!p.device().equals(Device.cpu())) {
                Tensor inputOk = p.min().ge(0f).mul(p.max().le(1f));
                Tensor targetOk = t.min().ge(0f).mul(t.max().le(1f));
                Tensor failed = inputOk.rsub(1f).add(targetOk.rsub(1f).mul(2f)).to(DType.INT32).reshape(1);
                Tensor.zeros(p.device(), 1).indexSelect(0, failed);
                return;
            }
            float[] range = Tensor.stack(List.of(p.min(), p.max(), t.min(), t.max()), 0).toFloatArray();
            if (!(range[0] >= 0f && range[1] <= 1f)) {
                throw outOfRange(op, "input", p);
            }
            if (!(range[2] >= 0f && range[3] <= 1f)) {
                throw outOfRange(op, "target", t);
            }
        }
    }

    /** The error for a tensor known to hold a value outside {@code [0, 1]}; reads it on the host. */
    private static IllegalArgumentException outOfRange(String op, String what, Tensor x) {
        float[] values = x.toFloatArray();
        int i = 0;
        while (i < values.length - 1 && values[i] >= 0f && values[i] <= 1f) {
            i++;
        }
        return new IllegalArgumentException(op + ": all elements of " + what + " must be between 0 and 1, got "
                + values[i] + " at flat position " + i + " of " + what + " " + Shape.str(x.shape())
                + ("input".equals(what) ? " (for logits use binaryCrossEntropyWithLogits)" : ""));
    }

    /**
     * {@code max(log(x), -100)} whose gradient is {@code 1 / max(x, 1e-12)}, as PyTorch's BCE
     * backward: finite even at {@code x = 0}, where a plain {@code log} would give {@code 0 * inf}.
     * The value is computed without recording, then the gradient path is attached as {@code (x -
     * detach(x)) / detach(max(x, 1e-12))}, which adds exactly 0 to the value.
     */
    private static Tensor clampedLog(Tensor x) {
        Tensor value;
        try (GradMode ignored = Tensor.noGrad()) {
            value = x.clamp(Float.MIN_VALUE, Float.MAX_VALUE).log().clamp(-100f, Float.MAX_VALUE);
        }
        if (!GradMode.isEnabled() || !x.requiresGrad()) {
            return value;
        }
        Tensor frozen = x.detach();
        return value.add(x.sub(frozen).div(frozen.clamp(1e-12f, Float.MAX_VALUE)));
    }

    private static void requireBroadcasts(String op, String what, Tensor w, Tensor like) {
        NLLLoss.requireFloat(op, what, w);
        int[] shape;
        try {
            shape = Shape.broadcast(op, w.shape(), like.shape());
        } catch (IllegalArgumentException e) {
            shape = null;
        }
        if (shape == null || !Arrays.equals(shape, like.shape())) {
            throw new IllegalArgumentException(op + ": " + what + " of shape " + Shape.str(w.shape())
                    + " does not broadcast to the input shape " + Shape.str(like.shape()));
        }
    }
}
