package dev.tessera.nn;

import dev.tessera.DType;
import dev.tessera.GradMode;
import dev.tessera.Generator;
import dev.tessera.Shape;
import dev.tessera.Tensor;

/**
 * Parameter initialisers with the formulas of {@code torch.nn.init}. Each fills the given FLOAT32
 * tensor in place (under {@link Tensor#noGrad()}, so parameters that require grad can be filled),
 * modifies only that tensor, and returns it. Random values are drawn on the host from a {@link
 * Generator} and copied to the tensor's device; the overloads without a generator take one from
 * {@link Random#newGenerator()}, so {@link Random#manualSeed(long)} makes them reproducible.
 *
 * <p>Fans follow PyTorch: for a tensor of shape {@code [out, in, k...]}, {@code fanIn = in * prod(k)}
 * and {@code fanOut = out * prod(k)}.
 */
public final class Init {
    private Init() {
    }

    // ---------------------------------------------------------------- gains and fans

    /** Returns the recommended gain for {@code nonlinearity} (leaky ReLU with slope 0.01). */
    public static double calculateGain(Nonlinearity nonlinearity) {
        return calculateGain(nonlinearity, 0.01);
    }

    /**
     * Returns the recommended gain for {@code nonlinearity}; {@code param} is the negative slope of
     * {@link Nonlinearity#LEAKY_RELU} and ignored for the others. Gains: 1 for linear, convolutions
     * and sigmoid; 5/3 for tanh; sqrt(2) for ReLU; sqrt(2 / (1 + param^2)) for leaky ReLU; 3/4 for SELU.
     */
    public static double calculateGain(Nonlinearity nonlinearity, double param) {
        return switch (nonlinearity) {
            case LINEAR, CONV1D, CONV2D, CONV3D, CONV_TRANSPOSE1D, CONV_TRANSPOSE2D, CONV_TRANSPOSE3D, SIGMOID -> 1.0;
            case TANH -> 5.0 / 3.0;
            case RELU -> Math.sqrt(2.0);
            case LEAKY_RELU -> Math.sqrt(2.0 / (1.0 + param * param));
            case SELU -> 3.0 / 4.0;
        };
    }

    /**
     * Returns {@code {fanIn, fanOut}} of a weight of shape {@code [out, in, k...]}.
     *
     * @throws IllegalArgumentException for a tensor with fewer than 2 dimensions
     */
    public static int[] calculateFanInAndFanOut(Tensor t) {
        if (t.dim() < 2) {
            throw new IllegalArgumentException("Init: fan in and fan out cannot be computed for a tensor with fewer than"
                    + " 2 dimensions, got shape " + Shape.str(t.shape()));
        }
        int receptive = 1;
        for (int d = 2; d < t.dim(); d++) {
            receptive *= t.size(d);
        }
        return new int[] {t.size(1) * receptive, t.size(0) * receptive};
    }

    // ---------------------------------------------------------------- plain fills

    /** Fills {@code t} with values drawn uniformly from {@code [a, b)}; modifies and returns {@code t}. */
    public static Tensor uniform(Tensor t, double a, double b) {
        return uniform(t, a, b, Random.newGenerator());
    }

    /** Fills {@code t} with values drawn uniformly from {@code [a, b)} using {@code g}; modifies {@code t} and advances {@code g}; returns {@code t}. */
    public static Tensor uniform(Tensor t, double a, double b, Generator g) {
        requireFloat("uniform", t);
        if (!(a <= b)) {
            throw new IllegalArgumentException("Init.uniform: lower bound " + a + " must not exceed upper bound " + b);
        }
        float[] values = new float[Shape.numel(t.shape())];
        g.fillUniform(values, (float) a, (float) b);
        return write(t, values);
    }

    /** Fills {@code t} with values drawn from N(mean, std^2); modifies and returns {@code t}. */
    public static Tensor normal(Tensor t, double mean, double std) {
        return normal(t, mean, std, Random.newGenerator());
    }

    /** Fills {@code t} with values drawn from N(mean, std^2) using {@code g}; modifies {@code t} and advances {@code g}; returns {@code t}. */
    public static Tensor normal(Tensor t, double mean, double std, Generator g) {
        requireFloat("normal", t);
        if (!(std >= 0)) {
            throw new IllegalArgumentException("Init.normal: std must be >= 0, got " + std);
        }
        float[] values = new float[Shape.numel(t.shape())];
        g.fillNormal(values, (float) mean, (float) std);
        return write(t, values);
    }

    /** {@link #truncNormal(Tensor, double, double, double, double, Generator)} with the global generator. */
    public static Tensor truncNormal(Tensor t, double mean, double std, double a, double b) {
        return truncNormal(t, mean, std, a, b, Random.newGenerator());
    }

    /**
     * Fills {@code t} from N(mean, std^2) truncated to {@code [a, b]}, like PyTorch's {@code
     * trunc_normal_} (torchvision's Inception initialisation): draws outside the bounds are drawn
     * again. Modifies {@code t} and advances {@code g}; returns {@code t}.
     *
     * @throws IllegalArgumentException if {@code std < 0}, {@code a > b}, or {@code [a, b]} lies
     *                                  more than 5 standard deviations from the mean (rejection
     *                                  would hardly ever accept)
     */
    public static Tensor truncNormal(Tensor t, double mean, double std, double a, double b, Generator g) {
        requireFloat("truncNormal", t);
        if (!(std >= 0) || !(a <= b) || (std > 0 && (a > mean + 5 * std || b < mean - 5 * std))
                || (std == 0 && (mean < a || mean > b))) {
            throw new IllegalArgumentException("Init.truncNormal: needs std >= 0 and a <= b with [a, b] near the mean, got mean="
                    + mean + ", std=" + std + ", a=" + a + ", b=" + b);
        }
        float[] values = new float[Shape.numel(t.shape())];
        for (int i = 0; i < values.length; i++) {
            double v;
            do {
                v = mean + std * g.nextGaussian();
            } while (v < a || v > b);
            values[i] = (float) v;
        }
        return write(t, values);
    }

    /** Sets every element of {@code t} to {@code value}; modifies and returns {@code t}. */
    public static Tensor constant(Tensor t, double value) {
        requireFloat("constant", t);
        try (GradMode ignored = Tensor.noGrad()) {
            return t.fill((float) value);
        }
    }

    /** Sets every element of {@code t} to 0; modifies and returns {@code t}. */
    public static Tensor zeros(Tensor t) {
        return constant(t, 0.0);
    }

    /** Sets every element of {@code t} to 1; modifies and returns {@code t}. */
    public static Tensor ones(Tensor t) {
        return constant(t, 1.0);
    }

    // ---------------------------------------------------------------- Xavier / Glorot

    /** {@link #xavierUniform(Tensor, double, Generator)} with gain 1 and the global generator. */
    public static Tensor xavierUniform(Tensor t) {
        return xavierUniform(t, 1.0, Random.newGenerator());
    }

    /** {@link #xavierUniform(Tensor, double, Generator)} with the global generator. */
    public static Tensor xavierUniform(Tensor t, double gain) {
        return xavierUniform(t, gain, Random.newGenerator());
    }

    /**
     * Fills {@code t} from U(-b, b) with {@code b = gain * sqrt(6 / (fanIn + fanOut))} (Glorot &amp;
     * Bengio 2010); modifies {@code t} and advances {@code g}; returns {@code t}.
     */
    public static Tensor xavierUniform(Tensor t, double gain, Generator g) {
        int[] fans = calculateFanInAndFanOut(t);
        double bound = gain * Math.sqrt(6.0 / (fans[0] + fans[1]));
        return uniform(t, -bound, bound, g);
    }

    /** {@link #xavierNormal(Tensor, double, Generator)} with gain 1 and the global generator. */
    public static Tensor xavierNormal(Tensor t) {
        return xavierNormal(t, 1.0, Random.newGenerator());
    }

    /** {@link #xavierNormal(Tensor, double, Generator)} with the global generator. */
    public static Tensor xavierNormal(Tensor t, double gain) {
        return xavierNormal(t, gain, Random.newGenerator());
    }

    /**
     * Fills {@code t} from N(0, s^2) with {@code s = gain * sqrt(2 / (fanIn + fanOut))}; modifies
     * {@code t} and advances {@code g}; returns {@code t}.
     */
    public static Tensor xavierNormal(Tensor t, double gain, Generator g) {
        int[] fans = calculateFanInAndFanOut(t);
        return normal(t, 0.0, gain * Math.sqrt(2.0 / (fans[0] + fans[1])), g);
    }

    // ---------------------------------------------------------------- Kaiming / He

    /** {@link #kaimingUniform(Tensor, double, FanMode, Nonlinearity, Generator)} with PyTorch's defaults: a = 0, fan in, leaky ReLU. */
    public static Tensor kaimingUniform(Tensor t) {
        return kaimingUniform(t, 0.0, FanMode.FAN_IN, Nonlinearity.LEAKY_RELU, Random.newGenerator());
    }

    /** {@link #kaimingUniform(Tensor, double, FanMode, Nonlinearity, Generator)} with the global generator. */
    public static Tensor kaimingUniform(Tensor t, double a, FanMode mode, Nonlinearity nonlinearity) {
        return kaimingUniform(t, a, mode, nonlinearity, Random.newGenerator());
    }

    /**
     * Fills {@code t} from U(-b, b) with {@code b = gain * sqrt(3 / fan)}, {@code gain =
     * calculateGain(nonlinearity, a)} and {@code fan} chosen by {@code mode} (He et al. 2015);
     * modifies {@code t} and advances {@code g}; returns {@code t}. With {@code a = sqrt(5)} and leaky
     * ReLU this is PyTorch's default {@code Linear} weight init, U(-1/sqrt(fanIn), 1/sqrt(fanIn)).
     */
    public static Tensor kaimingUniform(Tensor t, double a, FanMode mode, Nonlinearity nonlinearity, Generator g) {
        double bound = Math.sqrt(3.0) * kaimingStd("kaimingUniform", t, a, mode, nonlinearity);
        return uniform(t, -bound, bound, g);
    }

    /** {@link #kaimingNormal(Tensor, double, FanMode, Nonlinearity, Generator)} with PyTorch's defaults: a = 0, fan in, leaky ReLU. */
    public static Tensor kaimingNormal(Tensor t) {
        return kaimingNormal(t, 0.0, FanMode.FAN_IN, Nonlinearity.LEAKY_RELU, Random.newGenerator());
    }

    /** {@link #kaimingNormal(Tensor, double, FanMode, Nonlinearity, Generator)} with the global generator. */
    public static Tensor kaimingNormal(Tensor t, double a, FanMode mode, Nonlinearity nonlinearity) {
        return kaimingNormal(t, a, mode, nonlinearity, Random.newGenerator());
    }

    /**
     * Fills {@code t} from N(0, s^2) with {@code s = gain / sqrt(fan)}; see {@link
     * #kaimingUniform(Tensor, double, FanMode, Nonlinearity, Generator)}; modifies {@code t} and
     * advances {@code g}; returns {@code t}.
     */
    public static Tensor kaimingNormal(Tensor t, double a, FanMode mode, Nonlinearity nonlinearity, Generator g) {
        return normal(t, 0.0, kaimingStd("kaimingNormal", t, a, mode, nonlinearity), g);
    }

    private static double kaimingStd(String op, Tensor t, double a, FanMode mode, Nonlinearity nonlinearity) {
        int[] fans = calculateFanInAndFanOut(t);
        int fan = mode == FanMode.FAN_IN ? fans[0] : fans[1];
        if (fan == 0) {
            throw new IllegalArgumentException("Init." + op + ": " + mode + " of shape " + Shape.str(t.shape()) + " is 0");
        }
        return calculateGain(nonlinearity, a) / Math.sqrt(fan);
    }

    // ---------------------------------------------------------------- helpers

    private static void requireFloat(String op, Tensor t) {
        if (t.dtype() != DType.FLOAT32) {
            throw new IllegalArgumentException("Init." + op + ": needs a FLOAT32 tensor, got " + t.dtype()
                    + " of shape " + Shape.str(t.shape()));
        }
    }

    /** Copies host {@code values} (row-major, t's element count) into {@code t} on its device. */
    private static Tensor write(Tensor t, float[] values) {
        Tensor src = Tensor.of(t.device(), values, values.length).reshape(t.shape());
        try (GradMode ignored = Tensor.noGrad()) {
            return t.copyFrom(src);
        }
    }
}
