package dev.tessera.nn;

import dev.tessera.DType;
import dev.tessera.Device;
import dev.tessera.Fused;
import dev.tessera.Generator;
import dev.tessera.Shape;
import dev.tessera.Tensor;
import java.util.Objects;

/**
 * The functional API, as PyTorch's {@code torch.nn.functional}: losses, activations, dropout,
 * one-hot encoding and attention as static methods on tensors. Every method builds its result from
 * tensor ops (so it is differentiable and runs on the tensors' device), never modifies its
 * arguments, and throws {@link IllegalArgumentException} naming the function and the offending
 * shapes or values.
 *
 * <p>The loss classes ({@link CrossEntropyLoss}, {@link NLLLoss}, {@link MSELoss}, {@link L1Loss},
 * {@link BCEWithLogitsLoss}) hold the same computations with their options fixed at construction.
 */
public final class F {
    private F() {
    }

    // ---------------------------------------------------------------- losses

    /**
     * Returns the mean cross-entropy of {@code logits} ({@code [N, C]}, {@code [N, C, d1, ...]} or
     * {@code [C]}) against {@code targets}: INT32 class indices ({@code [N]}, {@code [N, d1, ...]} or
     * 0-d; -100 is ignored) or FLOAT32 class probabilities shaped like the logits.
     */
    public static Tensor crossEntropy(Tensor logits, Tensor targets) {
        return CrossEntropyLoss.compute(logits, targets, null, Reduction.MEAN, NLLLoss.DEFAULT_IGNORE_INDEX, 0f);
    }

    /** Returns the cross-entropy reduced by {@code reduction}; see {@link #crossEntropy(Tensor, Tensor)}. */
    public static Tensor crossEntropy(Tensor logits, Tensor targets, Reduction reduction) {
        return CrossEntropyLoss.compute(logits, targets, null, reduction, NLLLoss.DEFAULT_IGNORE_INDEX, 0f);
    }

    /**
     * Returns the cross-entropy with PyTorch's options: index targets equal to {@code ignoreIndex}
     * contribute nothing (the mean divides by the number of the others), and {@code labelSmoothing}
     * in {@code [0, 1]} mixes in the uniform distribution; see {@link CrossEntropyLoss}.
     */
    public static Tensor crossEntropy(Tensor logits, Tensor targets, Reduction reduction, int ignoreIndex,
            float labelSmoothing) {
        return CrossEntropyLoss.compute(logits, targets, null, reduction, ignoreIndex, labelSmoothing);
    }

    /**
     * Returns the cross-entropy with all of PyTorch's options, including the class {@code weight}
     * ({@code [C]} FLOAT32, or null); see {@link CrossEntropyLoss}.
     */
    public static Tensor crossEntropy(Tensor logits, Tensor targets, Tensor weight, Reduction reduction, int ignoreIndex,
            float labelSmoothing) {
        return CrossEntropyLoss.compute(logits, targets, weight, reduction, ignoreIndex, labelSmoothing);
    }

    /**
     * Returns the mean negative log-likelihood of the log-probabilities {@code logProbs} ({@code [N,
     * C]}, {@code [N, C, d1, ...]} or {@code [C]}) at the INT32 class indices {@code targets}
     * (-100 is ignored).
     */
    public static Tensor nllLoss(Tensor logProbs, Tensor targets) {
        return NLLLoss.compute("nllLoss", logProbs, targets, null, Reduction.MEAN, NLLLoss.DEFAULT_IGNORE_INDEX, 0f);
    }

    /** Returns the negative log-likelihood reduced by {@code reduction}; see {@link NLLLoss}. */
    public static Tensor nllLoss(Tensor logProbs, Tensor targets, Reduction reduction) {
        return NLLLoss.compute("nllLoss", logProbs, targets, null, reduction, NLLLoss.DEFAULT_IGNORE_INDEX, 0f);
    }

    /**
     * Returns the negative log-likelihood with class {@code weight} ({@code [C]}, or null) and
     * {@code ignoreIndex}; see {@link NLLLoss}.
     */
    public static Tensor nllLoss(Tensor logProbs, Tensor targets, Tensor weight, Reduction reduction, int ignoreIndex) {
        return NLLLoss.compute("nllLoss", logProbs, targets, weight, reduction, ignoreIndex, 0f);
    }

    /** Returns the mean of {@code (input - target)^2}; both FLOAT32 of one shape. */
    public static Tensor mseLoss(Tensor input, Tensor target) {
        return MSELoss.compute(input, target, Reduction.MEAN);
    }

    /** Returns {@code (input - target)^2} reduced by {@code reduction}; both FLOAT32 of one shape. */
    public static Tensor mseLoss(Tensor input, Tensor target, Reduction reduction) {
        return MSELoss.compute(input, target, reduction);
    }

    /** Returns the mean of {@code |input - target|}; both FLOAT32 of one shape. */
    public static Tensor l1Loss(Tensor input, Tensor target) {
        return L1Loss.compute(input, target, Reduction.MEAN);
    }

    /** Returns {@code |input - target|} reduced by {@code reduction}; both FLOAT32 of one shape. */
    public static Tensor l1Loss(Tensor input, Tensor target, Reduction reduction) {
        return L1Loss.compute(input, target, reduction);
    }

    /**
     * Returns the mean binary cross-entropy of the logits {@code z} against targets {@code t} in
     * {@code [0, 1]} (same shape), {@code max(z, 0) - z * t + log(1 + exp(-|z|))}: exact for any
     * {@code |z|}.
     */
    public static Tensor binaryCrossEntropyWithLogits(Tensor z, Tensor t) {
        return BCEWithLogitsLoss.compute(z, t, null, null, Reduction.MEAN);
    }

    /** Returns the binary cross-entropy on logits reduced by {@code reduction}; see {@link BCEWithLogitsLoss}. */
    public static Tensor binaryCrossEntropyWithLogits(Tensor z, Tensor t, Reduction reduction) {
        return BCEWithLogitsLoss.compute(z, t, null, null, reduction);
    }

    /**
     * Returns the binary cross-entropy on logits with a per-element {@code weight} and a
     * positive-example weight {@code posWeight} (each broadcast against {@code z}, or null); see
     * {@link BCEWithLogitsLoss}.
     */
    public static Tensor binaryCrossEntropyWithLogits(Tensor z, Tensor t, Tensor weight, Tensor posWeight,
            Reduction reduction) {
        return BCEWithLogitsLoss.compute(z, t, weight, posWeight, reduction);
    }

    /**
     * Returns the mean binary cross-entropy of probabilities {@code p} in {@code [0, 1]} against
     * targets {@code t} (same shape), {@code -[t * log(p) + (1 - t) * log(1 - p)]} with each log
     * clamped to {@code >= -100} as in PyTorch. Prefer {@link #binaryCrossEntropyWithLogits} on the
     * logits: it is exact where the sigmoid saturates.
     *
     * <p>As PyTorch, every element of {@code p} and {@code t} must lie in {@code [0, 1]}; checking
     * that reads four floats (the extremes of both) back from the tensors' device per call.
     *
     * @throws IllegalArgumentException if the shapes differ or an element of {@code p} or {@code t} is
     *                                  outside {@code [0, 1]} or NaN (the message names the first one)
     */
    public static Tensor binaryCrossEntropy(Tensor p, Tensor t) {
        return BCEWithLogitsLoss.probabilities(p, t, null, Reduction.MEAN);
    }

    /** Returns the binary cross-entropy of probabilities reduced by {@code reduction}; see {@link #binaryCrossEntropy(Tensor, Tensor)}. */
    public static Tensor binaryCrossEntropy(Tensor p, Tensor t, Reduction reduction) {
        return BCEWithLogitsLoss.probabilities(p, t, null, reduction);
    }

    /** Returns the binary cross-entropy of probabilities with a per-element {@code weight} (broadcast, or null). */
    public static Tensor binaryCrossEntropy(Tensor p, Tensor t, Tensor weight, Reduction reduction) {
        return BCEWithLogitsLoss.probabilities(p, t, weight, reduction);
    }

    // ---------------------------------------------------------------- activations

    /** Returns {@code max(x, 0)}. */
    public static Tensor relu(Tensor x) {
        return x.relu();
    }

    /**
     * Returns {@code relu(layer.forward(input))}. For a {@link Linear} or a {@link Conv2d} (those
     * classes exactly) it runs as {@link Tensor#linearRelu} or {@link Tensor#conv2dRelu}: the same
     * values and gradients with one result array instead of two. {@link Sequential} runs a layer
     * followed by a {@link ReLU} this way; a module's own {@code forward} can call it too.
     */
    public static Tensor reluAfter(Module layer, Tensor input) {
        if (layer.getClass() == Linear.class) {
            return ((Linear) layer).forwardRelu(input);
        }
        if (layer.getClass() == Conv2d.class) {
            return ((Conv2d) layer).forwardRelu(input);
        }
        return layer.forward(input).relu();
    }

    /** Returns {@code x > 0 ? x : alpha * x}. */
    public static Tensor leakyRelu(Tensor x, float alpha) {
        return x.leakyRelu(alpha);
    }

    /** Returns {@code x > 0 ? x : alpha * (e^x - 1)}. */
    public static Tensor elu(Tensor x, float alpha) {
        return x.elu(alpha);
    }

    /** Returns the exact (erf-based) GELU. */
    public static Tensor gelu(Tensor x) {
        return x.gelu();
    }

    /** Returns {@code 1 / (1 + e^-x)}. */
    public static Tensor sigmoid(Tensor x) {
        return x.sigmoid();
    }

    /** Returns {@code tanh(x)}. */
    public static Tensor tanh(Tensor x) {
        return x.tanh();
    }

    /** Returns {@code ln(1 + e^x)}, stable for large {@code |x|}. */
    public static Tensor softplus(Tensor x) {
        return x.softplus();
    }

    /** Returns {@code x * sigmoid(x)} (SiLU, also called swish). */
    public static Tensor silu(Tensor x) {
        return x.mul(x.sigmoid());
    }

    /** Returns {@code min(max(x, 0), 6)} (ReLU6); the gradient passes where {@code 0 <= x <= 6}. */
    public static Tensor relu6(Tensor x) {
        return x.clamp(0f, 6f);
    }

    /** Returns {@code min(max(x + 3, 0), 6) / 6}, the hard sigmoid: 0 below -3, 1 above 3, linear between. */
    public static Tensor hardsigmoid(Tensor x) {
        return x.add(3f).clamp(0f, 6f).mul(1f / 6f);
    }

    /** Returns {@code x * hardsigmoid(x)}, the hard swish: 0 below -3, {@code x} above 3. */
    public static Tensor hardswish(Tensor x) {
        return x.mul(hardsigmoid(x));
    }

    /**
     * Returns torchvision's {@code stochastic_depth(x, p, mode, training)}: in training mode with
     * {@code p > 0}, {@code x} times a noise tensor of Bernoulli({@code 1 - p}) draws divided by
     * {@code 1 - p} (zeros when {@code p = 1}), one draw per sample (the first dimension) in {@link
     * StochasticDepth.Mode#ROW} mode, or one for the whole batch in {@link
     * StochasticDepth.Mode#BATCH} mode; {@code x} itself otherwise. The draws come from {@code g}
     * (advanced) as {@code u >= p} for uniforms {@code u}.
     *
     * @throws IllegalArgumentException if {@code p} is outside {@code [0, 1]}
     */
    public static Tensor stochasticDepth(Tensor x, float p, StochasticDepth.Mode mode, boolean training, Generator g) {
        if (!(p >= 0f && p <= 1f)) {
            throw new IllegalArgumentException("stochasticDepth: p must be in [0, 1], got " + p);
        }
        Objects.requireNonNull(x, "stochasticDepth: input must not be null");
        Objects.requireNonNull(mode, "stochasticDepth: mode must not be null");
        if (!training || p == 0f) {
            return x;
        }
        if (p == 1f) {
            return x.mul(0f);
        }
        Objects.requireNonNull(g, "stochasticDepth: generator must not be null in training mode");
        int[] shape = new int[x.dim()];
        java.util.Arrays.fill(shape, 1);
        if (mode == StochasticDepth.Mode.ROW && x.dim() > 0) {
            shape[0] = x.size(0);
        }
        Tensor keep = Tensor.rand(g, x.device(), shape).ge(p);
        return x.mul(keep.mul(1f / (1f - p)));
    }

    /** Returns the softmax of {@code x} along {@code dim} (negative counts from the end). */
    public static Tensor softmax(Tensor x, int dim) {
        return x.softmax(dim);
    }

    /** Returns the log-softmax of {@code x} along {@code dim}, computed stably. */
    public static Tensor logSoftmax(Tensor x, int dim) {
        return x.logSoftmax(dim);
    }

    /**
     * Returns {@code x} with each element zeroed with probability {@code p} and the others scaled by
     * {@code 1 / (1 - p)} (inverted dropout), when {@code training}; {@code x} itself otherwise or
     * when {@code p == 0}. The mask is drawn from {@code g}'s counter-based stream (which is
     * advanced), so a seed gives the same mask on every device; backward draws it again.
     *
     * @throws IllegalArgumentException if {@code p} is outside {@code [0, 1]}
     */
    public static Tensor dropout(Tensor x, float p, boolean training, Generator g) {
        if (!(p >= 0f && p <= 1f)) {
            throw new IllegalArgumentException("dropout: p must be in [0, 1], got " + p);
        }
        Objects.requireNonNull(x, "dropout: input must not be null");
        if (!training || p == 0f) {
            return x;
        }
        if (p == 1f) {
            return x.mul(0f);
        }
        Objects.requireNonNull(g, "dropout: generator must not be null in training mode");
        return Fused.dropout(x, g, p, 1f / (1f - p));
    }

    /** Returns {@code x.matmul(weight^T) + bias} with PyTorch's layout: {@code weight [out, in]}, {@code bias [out]} or null. */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        Objects.requireNonNull(x, "linear: input must not be null");
        Objects.requireNonNull(weight, "linear: weight must not be null");
        return x.linear(weight, bias);
    }

    // ---------------------------------------------------------------- encoding

    /**
     * Returns the one-hot encoding of the INT32 {@code labels} as a FLOAT32 tensor of shape
     * {@code labels.shape() + [numClasses]} (1 at each label, 0 elsewhere). With {@code numClasses
     * == -1} it is the largest label plus one, as PyTorch's {@code one_hot}.
     *
     * <p>Host reads: on the CPU the labels are checked where they are (a plain memory access). On
     * other devices nothing is read back when {@code numClasses > 0}: the labels pass through a
     * {@code gather} from {@code [0, numClasses)}, whose backend check reports a bad label (index) and
     * {@code numClasses} (size), on a GPU possibly only at the next read-back. Inferring the number of
     * classes ({@code -1}) has to read the labels, since it decides the result's shape.
     *
     * @throws IllegalArgumentException if the labels are not INT32, or a label is outside {@code [0, numClasses)}
     */
    public static Tensor oneHot(Tensor labels, int numClasses) {
        Objects.requireNonNull(labels, "oneHot: labels must not be null");
        if (labels.dtype() != DType.INT32) {
            throw new IllegalArgumentException("oneHot: labels must be INT32, got " + labels.dtype() + " of shape "
                    + Shape.str(labels.shape()));
        }
        if (numClasses == 0 || numClasses < -1) {
            throw new IllegalArgumentException("oneHot: numClasses must be positive (or -1 to infer it), got " + numClasses);
        }
        boolean onCpu = labels.device().equals(Device.cpu());
        int c = numClasses;
        if (onCpu || numClasses == -1) {
            c = checkLabels(labels, numClasses);
        }
        Tensor range = Constants.arange(labels.device(), c);
        if (onCpu) {
            return labels.unsqueeze(-1).eq(range);
        }
        // The labels as FLOAT32, picked from [0, c) by a gather that checks them inside the backend.
        Tensor checked = range.indexSelect(0, labels.reshape(-1)).reshape(labels.shape());
        return checked.unsqueeze(-1).eq(range);
    }

    /** Reads {@code labels} on the host and checks them; returns {@code numClasses}, or the largest label + 1 for -1. */
    private static int checkLabels(Tensor labels, int numClasses) {
        int[] values = labels.toIntArray();
        int max = -1;
        for (int i = 0; i < values.length; i++) {
            if (values[i] < 0 || (numClasses > 0 && values[i] >= numClasses)) {
                throw new IllegalArgumentException("oneHot: label " + values[i] + " at flat position " + i
                        + " is outside [0, " + (numClasses > 0 ? numClasses : "inf") + ")");
            }
            max = Math.max(max, values[i]);
        }
        int c = numClasses == -1 ? max + 1 : numClasses;
        if (c <= 0) {
            throw new IllegalArgumentException("oneHot: cannot infer numClasses from empty labels of shape "
                    + Shape.str(labels.shape()));
        }
        return c;
    }

    // ---------------------------------------------------------------- attention

    /**
     * Returns {@code softmax(q k^T / sqrt(E) + mask) v} for {@code q [..., L, E]}, {@code k [..., S,
     * E]}, {@code v [..., S, Ev]} (leading dimensions broadcast, typically {@code [batch, heads]}):
     * PyTorch's {@code scaled_dot_product_attention} without dropout. {@code mask} is an additive
     * FLOAT32 mask broadcast to {@code [..., L, S]} (0 where attention is allowed, {@code -inf} where
     * it is not; see {@link #causalMask}), or null; for 0/1 masks use {@link
     * #scaledDotProductAttention(Tensor, Tensor, Tensor, AttentionMask, float, boolean, Generator)}
     * with {@link AttentionMask#keep} or {@link AttentionMask#block}. A query whose keys are all
     * masked gets a zero output row and zero gradients (PyTorch gives NaN).
     *
     * @return a new tensor {@code [..., L, Ev]}
     * @throws IllegalArgumentException if the shapes do not fit or the mask is not FLOAT32
     */
    public static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v, Tensor mask) {
        return scaledDotProductAttention(q, k, v, mask, 0f, false);
    }

    /**
     * Returns {@code dropout(softmax(q k^T / sqrt(E) + mask)) v}, PyTorch's {@code
     * scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)}: {@code mask} is an
     * additive FLOAT32 mask (or null) as in {@link #scaledDotProductAttention(Tensor, Tensor, Tensor,
     * Tensor)}; {@code causal} also blocks keys after the query ({@code j > i}); the attention
     * probabilities are dropped with probability {@code dropoutP} whenever it is positive (pass 0 in
     * eval mode), drawing from a fresh generator of {@link Random} (so {@link Random#manualSeed}
     * makes it reproducible).
     *
     * @return a new tensor {@code [..., L, Ev]}
     * @throws IllegalArgumentException if the shapes do not fit, the mask is not FLOAT32, or {@code
     *                                  dropoutP} is outside {@code [0, 1]}
     */
    public static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v, Tensor mask, float dropoutP,
            boolean causal) {
        if (mask != null && mask.dtype() != DType.FLOAT32) {
            throw new IllegalArgumentException("scaledDotProductAttention: a Tensor mask is additive and must be FLOAT32"
                    + " (0 to attend, -inf to block), got " + mask.dtype() + " of shape " + Shape.str(mask.shape())
                    + "; pass AttentionMask.keep(mask) or AttentionMask.block(mask) for a 0/1 mask");
        }
        return scaledDotProductAttention(q, k, v, mask == null ? null : AttentionMask.additive(mask), dropoutP, causal,
                null);
    }

    /**
     * Returns {@code dropout(softmax(q k^T / sqrt(E) + bias)) v} with the pairs blocked by {@code
     * mask} (0/1 or additive, see {@link AttentionMask}; null for none) and, when {@code causal},
     * the keys after each query; probabilities are dropped with probability {@code dropoutP} using
     * {@code g} (advanced; null draws a generator from {@link Random}). Shapes as in {@link
     * #scaledDotProductAttention(Tensor, Tensor, Tensor, Tensor)}; fully masked queries give zeros.
     *
     * @return a new tensor {@code [..., L, Ev]}
     * @throws IllegalArgumentException if the shapes (of q, k, v or the mask) do not fit, or {@code
     *                                  dropoutP} is outside {@code [0, 1]}
     */
    public static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v, AttentionMask mask, float dropoutP,
            boolean causal, Generator g) {
        AttentionMask m = causal ? AttentionMask.causal().and(mask) : mask;
        return Attention.compute("scaledDotProductAttention", q, k, v, m, dropoutP, g, false).output();
    }

    /**
     * Returns the additive causal mask {@code [size, size]}: 0 on and below the diagonal, {@code
     * -inf} above it, so position {@code i} attends to positions {@code <= i} (PyTorch's {@code
     * Transformer.generate_square_subsequent_mask}).
     *
     * @throws IllegalArgumentException if {@code size} is negative
     */
    public static Tensor causalMask(int size) {
        return causalMask(Device.cpu(), size);
    }

    /**
     * Returns the additive causal mask {@code [size, size]} of {@link #causalMask(int)} as a new
     * tensor built on {@code device}.
     *
     * @throws IllegalArgumentException if {@code size} is negative or the device is not available
     */
    public static Tensor causalMask(Device device, int size) {
        if (size < 0) {
            throw new IllegalArgumentException("causalMask: size must be >= 0, got " + size);
        }
        Tensor rows = Tensor.arange(device, size).unsqueeze(1);
        Tensor cols = Tensor.arange(device, size).unsqueeze(0);
        return Tensor.where(cols.gt(rows), Tensor.scalar(device, Float.NEGATIVE_INFINITY), Tensor.scalar(device, 0f));
    }
}
