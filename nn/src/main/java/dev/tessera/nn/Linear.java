package dev.tessera.nn;

import dev.tessera.Generator;
import dev.tessera.Shape;
import dev.tessera.Tensor;

/**
 * A fully connected layer {@code y = x W^T + b}, like {@code torch.nn.Linear}: {@code weight} is
 * {@code [out, in]}, {@code bias} is {@code [out]}; the input is {@code [..., in]} and the output
 * {@code [..., out]}.
 *
 * <p>Initialised as PyTorch does: the weight with Kaiming-uniform (a = sqrt(5)), i.e. U(-1/sqrt(in),
 * 1/sqrt(in)), and the bias from the same range.
 */
public class Linear extends Module {
    private final int inFeatures;
    private final int outFeatures;
    private final boolean hasBias;

    /** Creates a layer from {@code in} to {@code out} features with a bias, initialised from {@link Random}. */
    public Linear(int in, int out) {
        this(in, out, true);
    }

    /** Creates a layer from {@code in} to {@code out} features, with a bias if {@code bias}, initialised from {@link Random}. */
    public Linear(int in, int out, boolean bias) {
        this(in, out, bias, Random.newGenerator());
    }

    /**
     * Creates a layer from {@code in} to {@code out} features, with a bias if {@code bias}, drawing
     * its initial values from {@code g} (advances it).
     *
     * @throws IllegalArgumentException if a size is not positive
     */
    public Linear(int in, int out, boolean bias, Generator g) {
        if (in <= 0 || out <= 0) {
            throw new IllegalArgumentException("Linear: in and out features must be positive, got in=" + in + ", out=" + out);
        }
        this.inFeatures = in;
        this.outFeatures = out;
        this.hasBias = bias;
        Tensor w = registerParameter("weight", Tensor.zeros(out, in));
        Init.kaimingUniform(w, Math.sqrt(5.0), FanMode.FAN_IN, Nonlinearity.LEAKY_RELU, g);
        if (bias) {
            double bound = 1.0 / Math.sqrt(in);
            Init.uniform(registerParameter("bias", Tensor.zeros(out)), -bound, bound, g);
        }
    }

    /** Returns the number of input features. */
    public int inFeatures() {
        return inFeatures;
    }

    /** Returns the number of output features. */
    public int outFeatures() {
        return outFeatures;
    }

    /** Returns the weight parameter {@code [out, in]}. */
    public Tensor weight() {
        return parameter("weight");
    }

    /** Returns the bias parameter {@code [out]}, or null for a layer without bias. */
    public Tensor bias() {
        return hasBias ? parameter("bias") : null;
    }

    /**
     * Returns {@code input W^T + b} for an input of shape {@code [..., in]}.
     *
     * @throws IllegalArgumentException if the input's last dimension is not {@code in}
     */
    @Override
    public Tensor forward(Tensor input) {
        checkInput(input);
        return input.linear(weight(), bias());
    }

    /** {@link #forward} then a ReLU, as {@link Tensor#linearRelu}: see {@link F#reluAfter}. */
    Tensor forwardRelu(Tensor input) {
        checkInput(input);
        return input.linearRelu(weight(), bias());
    }

    private void checkInput(Tensor input) {
        if (input.dim() == 0 || input.size(-1) != inFeatures) {
            throw new IllegalArgumentException("Linear(in=" + inFeatures + ", out=" + outFeatures + "): input of shape "
                    + Shape.str(input.shape()) + " must have last dimension " + inFeatures);
        }
    }

    @Override
    protected String extraRepr() {
        return "in=" + inFeatures + ", out=" + outFeatures + ", bias=" + hasBias;
    }
}
