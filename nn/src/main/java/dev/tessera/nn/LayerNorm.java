package dev.tessera.nn;

import dev.tessera.FusedLayerNorm;
import dev.tessera.Shape;
import dev.tessera.Tensor;
import java.util.Arrays;

/**
 * Layer normalisation over the trailing dimensions {@code normalizedShape}, like {@code
 * torch.nn.LayerNorm}: for each leading position, {@code y = (x - mean) / sqrt(var + eps) * weight
 * + bias} with the mean and biased variance over the last {@code normalizedShape.length}
 * dimensions; {@code weight} (ones) and {@code bias} (zeros) have shape {@code normalizedShape}
 * when elementwise-affine. The same computation in training and eval mode.
 */
public class LayerNorm extends Module {
    private final int[] normalizedShape;
    private final double eps;
    private final boolean elementwiseAffine;

    /** Normalises over a last dimension of size {@code n}: eps 1e-5, with weight and bias. */
    public LayerNorm(int n) {
        this(new int[] {n}, 1e-5, true);
    }

    /** Normalises over the trailing dimensions {@code normalizedShape}: eps 1e-5, with weight and bias. */
    public LayerNorm(int[] normalizedShape) {
        this(normalizedShape, 1e-5, true);
    }

    /**
     * Normalises over the trailing dimensions {@code normalizedShape} (copied), adding {@code eps}
     * to the variance, with weight and bias if {@code elementwiseAffine}.
     *
     * @throws IllegalArgumentException for an empty shape, a non-positive size or a negative eps
     */
    public LayerNorm(int[] normalizedShape, double eps, boolean elementwiseAffine) {
        if (normalizedShape.length == 0 || Arrays.stream(normalizedShape).anyMatch(s -> s <= 0) || !(eps >= 0)) {
            throw new IllegalArgumentException("LayerNorm: needs a non-empty normalized shape of positive sizes and eps >= 0,"
                    + " got " + Shape.str(normalizedShape) + ", eps=" + eps);
        }
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps;
        this.elementwiseAffine = elementwiseAffine;
        if (elementwiseAffine) {
            registerParameter("weight", Tensor.ones(normalizedShape));
            registerParameter("bias", Tensor.zeros(normalizedShape));
        }
    }

    /** Returns a copy of the normalized (trailing) shape. */
    public int[] normalizedShape() {
        return normalizedShape.clone();
    }

    /** Returns the weight (shape {@code normalizedShape}), or null without affine parameters. */
    public Tensor weight() {
        return elementwiseAffine ? parameter("weight") : null;
    }

    /** Returns the bias (shape {@code normalizedShape}), or null without affine parameters. */
    public Tensor bias() {
        return elementwiseAffine ? parameter("bias") : null;
    }

    /**
     * Returns the normalised input (a new tensor of the input's shape).
     *
     * @throws IllegalArgumentException if the input's trailing dimensions are not {@code normalizedShape}
     */
    @Override
    public Tensor forward(Tensor input) {
        int k = normalizedShape.length;
        int lead = input.dim() - k;
        int[] shape = input.shape();
        if (lead < 0 || !Arrays.equals(Arrays.copyOfRange(shape, lead, shape.length), normalizedShape)) {
            throw new IllegalArgumentException("LayerNorm(" + Shape.str(normalizedShape) + "): input of shape "
                    + Shape.str(shape) + " does not end with the normalized shape " + Shape.str(normalizedShape));
        }
        return FusedLayerNorm.compute(input, normalizedShape, weight(), bias(), (float) eps);
    }

    @Override
    protected String extraRepr() {
        return Shape.str(normalizedShape) + ", eps=" + eps + ", elementwiseAffine=" + elementwiseAffine;
    }
}
