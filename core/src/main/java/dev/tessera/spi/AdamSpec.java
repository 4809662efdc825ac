package dev.tessera.spi;

/**
 * The scalars of one Adam (or AdamW) step for {@link Backend#adamUpdate}.
 *
 * @param lr          learning rate
 * @param beta1       decay of the first moment
 * @param beta2       decay of the second moment
 * @param eps         added to the denominator
 * @param weightDecay L2 penalty (Adam) or decoupled decay rate (AdamW)
 * @param decoupled   true for AdamW: {@code p *= 1 - lr*weightDecay} before the update
 * @param bias1       {@code 1 - beta1^step}
 * @param bias2Sqrt   {@code sqrt(1 - beta2^step)}
 */
public record AdamSpec(float lr, float beta1, float beta2, float eps, float weightDecay, boolean decoupled, float bias1,
        float bias2Sqrt) {
}
