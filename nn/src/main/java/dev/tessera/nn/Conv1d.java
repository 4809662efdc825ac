package dev.tessera.nn;

import dev.tessera.Generator;
import dev.tessera.Shape;
import dev.tessera.Tensor;

/**
 * A 1-D convolution over {@code [N, C, L]} sequences, like {@code torch.nn.Conv1d}: {@code weight}
 * is {@code [out, in / groups, kernel]} and {@code bias} {@code [out]}; the output is {@code [N, out,
 * outL]} with {@code outL = (L + 2 padding - dilation (kernel - 1) - 1) / stride + 1}.
 *
 * <p>Initialised as PyTorch does (Kaiming-uniform with a = sqrt(5) for the weight, U(±1/sqrt(fanIn))
 * for the bias, {@code fanIn = in / groups * kernel}). Computed by {@link Tensor#conv1d}.
 */
public class Conv1d extends Module {
    private final int inChannels;
    private final int outChannels;
    private final int kernel;
    private final int stride;
    private final int padding;
    private final int dilation;
    private final int groups;
    private final boolean hasBias;

    /** Creates a convolution with stride 1, no padding, and a bias. */
    public Conv1d(int in, int out, int kernel) {
        this(in, out, kernel, 1, 0);
    }

    /** Creates a convolution with the given stride and padding, and a bias. */
    public Conv1d(int in, int out, int kernel, int stride, int padding) {
        this(in, out, kernel, stride, padding, 1, 1, true, Random.newGenerator());
    }

    /** Creates a convolution with every option. */
    public Conv1d(int in, int out, int kernel, int stride, int padding, int dilation, int groups, boolean bias) {
        this(in, out, kernel, stride, padding, dilation, groups, bias, Random.newGenerator());
    }

    /**
     * Creates a convolution with every option, drawing the initial values from {@code g} (advances it).
     *
     * @throws IllegalArgumentException if a size is out of range or the channels are not multiples of {@code groups}
     */
    public Conv1d(int in, int out, int kernel, int stride, int padding, int dilation, int groups, boolean bias, Generator g) {
        if (in <= 0 || out <= 0 || groups <= 0 || in % groups != 0 || out % groups != 0 || kernel < 1 || stride < 1
                || padding < 0 || dilation < 1) {
            throw new IllegalArgumentException("Conv1d: invalid arguments in=" + in + ", out=" + out + ", kernel=" + kernel
                    + ", stride=" + stride + ", padding=" + padding + ", dilation=" + dilation + ", groups=" + groups
                    + " (channels must be positive multiples of groups)");
        }
        this.inChannels = in;
        this.outChannels = out;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.dilation = dilation;
        this.groups = groups;
        this.hasBias = bias;
        Tensor w = registerParameter("weight", Tensor.zeros(out, in / groups, kernel));
        Init.kaimingUniform(w, Math.sqrt(5.0), FanMode.FAN_IN, Nonlinearity.LEAKY_RELU, g);
        if (bias) {
            double bound = 1.0 / Math.sqrt((double) in / groups * kernel);
            Init.uniform(registerParameter("bias", Tensor.zeros(out)), -bound, bound, g);
        }
    }

    /** Returns the weight parameter {@code [out, in / groups, kernel]}. */
    public Tensor weight() {
        return parameter("weight");
    }

    /** Returns the bias parameter {@code [out]}, or null for a layer without bias. */
    public Tensor bias() {
        return hasBias ? parameter("bias") : null;
    }

    /**
     * Returns the convolution of {@code input} {@code [N, in, L]}: a new {@code [N, out, outL]} tensor.
     *
     * @throws IllegalArgumentException if the input is not 3-D with {@code in} channels, or too short for the kernel
     */
    @Override
    public Tensor forward(Tensor input) {
        if (input.dim() != 3 || input.size(1) != inChannels) {
            throw new IllegalArgumentException("Conv1d(" + extraRepr() + "): expected input [N, " + inChannels + ", L], got "
                    + Shape.str(input.shape()));
        }
        return input.conv1d(weight(), bias(), stride, padding, dilation, groups);
    }

    /** PyTorch's text with Java names, e.g. {@code 4, 8, kernelSize=(3,), stride=(1,)} and the non-default options. */
    @Override
    protected String extraRepr() {
        StringBuilder sb = new StringBuilder().append(inChannels).append(", ").append(outChannels)
                .append(", kernelSize=(").append(kernel).append(",), stride=(").append(stride).append(",)");
        if (padding != 0) {
            sb.append(", padding=(").append(padding).append(",)");
        }
        if (dilation != 1) {
            sb.append(", dilation=(").append(dilation).append(",)");
        }
        if (groups != 1) {
            sb.append(", groups=").append(groups);
        }
        if (!hasBias) {
            sb.append(", bias=false");
        }
        return sb.toString();
    }
}
