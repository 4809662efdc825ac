package dev.tessera.spi;

/**
 * Elementwise functions of one float argument {@code x}; some take a scalar parameter {@code p}.
 * Each constant documents its formula; backends must follow it to float precision.
 */
public enum UnaryOp {
    /** {@code -x}. */
    NEG,
    /** {@code |x|}. */
    ABS,
    /** {@code sign(x)}: -1, 0 or 1. */
    SIGN,
    /** {@code e^x}. */
    EXP,
    /** {@code ln x}. */
    LOG,
    /** {@code sqrt(x)}. */
    SQRT,
    /** {@code 1 / sqrt(x)}. */
    RSQRT,
    /** {@code 1 / x}. */
    RECIPROCAL,
    /** {@code sin x}. */
    SIN,
    /** {@code cos x}. */
    COS,
    /** {@code tanh x}. */
    TANH,
    /** {@code 1 / (1 + e^-x)}, computed without overflow for large |x|. */
    SIGMOID,
    /** {@code ln(1 + e^x)}, computed without overflow: {@code max(x, 0) + ln(1 + e^-|x|)}. */
    SOFTPLUS,
    /** {@code max(x, 0)}. */
    RELU,
    /** {@code x > 0 ? 1 : 0}: the derivative of ReLU. */
    STEP,
    /** {@code x > 0 ? x : p*x}. */
    LEAKY_RELU,
    /** {@code x > 0 ? x : p*(e^x - 1)}. */
    ELU,
    /** {@code x * Phi(x)} with the exact Gaussian CDF {@code Phi(x) = (1 + erf(x/sqrt 2)) / 2}. */
    GELU,
    /** {@code Phi(x) + x * phi(x)}: the derivative of GELU, {@code phi} the Gaussian density. */
    GELU_GRAD,
    /** {@code x + p}. */
    ADD_SCALAR,
    /** {@code x * p}. */
    MUL_SCALAR,
    /** {@code x / p} (a true division, not a multiplication by {@code 1/p}). */
    DIV_SCALAR,
    /** {@code p - x}. */
    RSUB_SCALAR,
    /** {@code p / x}. */
    RDIV_SCALAR,
    /** {@code x^p}. */
    POW_SCALAR,
    /** {@code max(x, p)}. */
    CLAMP_MIN,
    /** {@code min(x, p)}. */
    CLAMP_MAX;

    private final String label = name().toLowerCase(java.util.Locale.ROOT);

    /** Returns the op's name as tensor ops and error messages spell it, e.g. {@code exp}. */
    public String label() {
        return label;
    }
}
