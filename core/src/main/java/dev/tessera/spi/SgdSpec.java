package dev.tessera.spi;

/**
 * The scalars of one SGD step for {@link Backend#sgdUpdate}, with the semantics of PyTorch's
 * {@code torch.optim.SGD}.
 *
 * @param lr          learning rate
 * @param momentum    momentum factor; 0 for plain SGD (no buffer)
 * @param dampening   dampening of the gradient added to the momentum buffer (not applied on the first step)
 * @param weightDecay L2 penalty: {@code weightDecay * param} is added to the gradient
 * @param nesterov    Nesterov momentum: the step uses {@code d + momentum * buffer}
 * @param firstStep   the buffer holds nothing yet: it is set to the gradient instead of updated
 */
public record SgdSpec(float lr, float momentum, float dampening, float weightDecay, boolean nesterov,
        boolean firstStep) {
}
