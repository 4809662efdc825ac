package dev.tessera.nn;

import dev.tessera.Generator;
import dev.tessera.Shape;
import dev.tessera.Tensor;

/**
 * A 2-D convolution over {@code [N, C, H, W]} inputs, like {@code torch.nn.Conv2d}: {@code weight}
 * is {@code [out, in / groups, kH, kW]} and {@code bias} {@code [out]}; the output is {@code [N,
 * out, outH, outW]} with {@code outH = (H + 2 padding - dilation (kH - 1) - 1) / stride + 1}.
 * {@code groups == in} (with {@code out} a multiple of {@code in}) is a depthwise convolution.
 *
 * <p>Initialised as PyTorch does: the weight with Kaiming-uniform (a = sqrt(5)), i.e.
 * U(-1/sqrt(fanIn), 1/sqrt(fanIn)) with {@code fanIn = in / groups * kH * kW}, and the bias from
 * the same range. Computed by {@link Tensor#conv2d(Tensor, Tensor, int[], int[], int[], int)}.
 */
public class Conv2d extends Module {
    private final int inChannels;
    private final int outChannels;
    private final int[] kernel;
    private final int[] stride;
    private final int[] padding;
    private final int[] dilation;
    private final int groups;
    private final boolean hasBias;

    /** Creates a square {@code kernel} convolution with stride 1, no padding, and a bias. */
    public Conv2d(int in, int out, int kernel) {
        this(in, out, kernel, 1, 0);
    }

    /** Creates a square {@code kernel} convolution with the given square stride and padding, and a bias. */
    public Conv2d(int in, int out, int kernel, int stride, int padding) {
        this(in, out, kernel, stride, padding, 1, 1, true);
    }

    /** Creates a square convolution with every option; {@code bias} adds a bias parameter. */
    public Conv2d(int in, int out, int kernel, int stride, int padding, int dilation, int groups, boolean bias) {
        this(in, out, pair(kernel), pair(stride), pair(padding), pair(dilation), groups, bias, Random.newGenerator());
    }

    /** Creates a convolution with per-axis ({@code {h, w}}) kernel, stride and padding, no dilation, one group, a bias. */
    public Conv2d(int in, int out, int[] kernel, int[] stride, int[] padding) {
        this(in, out, kernel, stride, padding, pair(1), 1, true, Random.newGenerator());
    }

    /** Creates a convolution with per-axis ({@code {h, w}}) kernel, stride, padding and dilation. */
    public Conv2d(int in, int out, int[] kernel, int[] stride, int[] padding, int[] dilation, int groups, boolean bias) {
        this(in, out, kernel, stride, padding, dilation, groups, bias, Random.newGenerator());
    }

    /**
     * Creates a convolution with every option, drawing the initial values from {@code g} (advances it).
     *
     * @throws IllegalArgumentException if a size is out of range, an array does not hold 2 values,
     *                                  or the channels are not multiples of {@code groups}
     */
    public Conv2d(int in, int out, int[] kernel, int[] stride, int[] padding, int[] dilation, int groups, boolean bias,
                  Generator g) {
        this.kernel = check("kernel", kernel, 1);
        this.stride = check("stride", stride, 1);
        this.padding = check("padding", padding, 0);
        this.dilation = check("dilation", dilation, 1);
        if (in <= 0 || out <= 0 || groups <= 0 || in % groups != 0 || out % groups != 0) {
            throw new IllegalArgumentException("Conv2d: in and out channels must be positive multiples of groups, got in="
                    + in + ", out=" + out + ", groups=" + groups);
        }
        this.inChannels = in;
        this.outChannels = out;
        this.groups = groups;
        this.hasBias = bias;
        Tensor w = registerParameter("weight", Tensor.zeros(out, in / groups, this.kernel[0], this.kernel[1]));
        Init.kaimingUniform(w, Math.sqrt(5.0), FanMode.FAN_IN, Nonlinearity.LEAKY_RELU, g);
        if (bias) {
            double bound = 1.0 / Math.sqrt((double) in / groups * this.kernel[0] * this.kernel[1]);
            Init.uniform(registerParameter("bias", Tensor.zeros(out)), -bound, bound, g);
        }
    }

    static int[] pair(int v) {
        return new int[] {v, v};
    }

    private static int[] check(String name, int[] v, int min) {
        if (v == null || v.length != 2 || v[0] < min || v[1] < min) {
            throw new IllegalArgumentException("Conv2d: " + name + " must be 2 values >= " + min + ", got "
                    + (v == null ? "null" : Shape.str(v)));
        }
        return v.clone();
    }

    /** Returns the number of input channels. */
    public int inChannels() {
        return inChannels;
    }

    /** Returns the number of output channels. */
    public int outChannels() {
        return outChannels;
    }

    /** Returns a copy of the kernel size {@code {kH, kW}}. */
    public int[] kernelSize() {
        return kernel.clone();
    }

    /** Returns a copy of the stride {@code {h, w}}. */
    public int[] stride() {
        return stride.clone();
    }

    /** Returns a copy of the padding {@code {h, w}}. */
    public int[] padding() {
        return padding.clone();
    }

    /** Returns a copy of the dilation {@code {h, w}}. */
    public int[] dilation() {
        return dilation.clone();
    }

    /** Returns the number of channel groups. */
    public int groups() {
        return groups;
    }

    /** Returns the weight parameter {@code [out, in / groups, kH, kW]}. */
    public Tensor weight() {
        return parameter("weight");
    }

    /** Returns the bias parameter {@code [out]}, or null for a layer without bias. */
    public Tensor bias() {
        return hasBias ? parameter("bias") : null;
    }

    /**
     * Returns the convolution of {@code input} {@code [N, in, H, W]}: a new {@code [N, out, outH, outW]} tensor.
     *
     * @throws IllegalArgumentException if the input is not 4-D with {@code in} channels, or too small for the kernel
     */
    @Override
    public Tensor forward(Tensor input) {
        checkInput(input);
        return input.conv2d(weight(), bias(), stride, padding, dilation, groups);
    }

    /** {@link #forward} then a ReLU, as {@link Tensor#conv2dRelu}: see {@link F#reluAfter}. */
    Tensor forwardRelu(Tensor input) {
        checkInput(input);
        return input.conv2dRelu(weight(), bias(), stride, padding, dilation, groups);
    }

    private void checkInput(Tensor input) {
        if (input.dim() != 4 || input.size(1) != inChannels) {
            throw new IllegalArgumentException("Conv2d(" + extraRepr() + "): expected input [N, " + inChannels
                    + ", H, W], got " + Shape.str(input.shape()));
        }
    }

    /** PyTorch's text with Java names: {@code 3, 8, kernelSize=(3, 3), stride=(1, 1)} and the non-default options. */
    @Override
    protected String extraRepr() {
        StringBuilder sb = new StringBuilder().append(inChannels).append(", ").append(outChannels)
                .append(", kernelSize=").append(tuple(kernel)).append(", stride=").append(tuple(stride));
        if (padding[0] != 0 || padding[1] != 0) {
            sb.append(", padding=").append(tuple(padding));
        }
        if (dilation[0] != 1 || dilation[1] != 1) {
            sb.append(", dilation=").append(tuple(dilation));
        }
        if (groups != 1) {
            sb.append(", groups=").append(groups);
        }
        if (!hasBias) {
            sb.append(", bias=false");
        }
        return sb.toString();
    }

    static String tuple(int[] v) {
        return "(" + v[0] + ", " + v[1] + ")";
    }
}
