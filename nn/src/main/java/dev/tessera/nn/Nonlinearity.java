package dev.tessera.nn;

/**
 * The nonlinearities {@link Init#calculateGain(Nonlinearity, double)} knows, as the strings of
 * {@code torch.nn.init.calculate_gain}.
 */
public enum Nonlinearity {
    /** Identity; gain 1. */
    LINEAR,
    /** 1-D convolution; gain 1. */
    CONV1D,
    /** 2-D convolution; gain 1. */
    CONV2D,
    /** 3-D convolution; gain 1. */
    CONV3D,
    /** 1-D transposed convolution; gain 1. */
    CONV_TRANSPOSE1D,
    /** 2-D transposed convolution; gain 1. */
    CONV_TRANSPOSE2D,
    /** 3-D transposed convolution; gain 1. */
    CONV_TRANSPOSE3D,
    /** Logistic sigmoid; gain 1. */
    SIGMOID,
    /** Hyperbolic tangent; gain 5/3. */
    TANH,
    /** Rectifier; gain sqrt(2). */
    RELU,
    /** Leaky rectifier with negative slope {@code a}; gain sqrt(2 / (1 + a^2)). */
    LEAKY_RELU,
    /** Scaled ELU; gain 3/4. */
    SELU
}
