package dev.tessera.nn;

/** Which fan the Kaiming initialisers in {@link Init} scale by, as {@code mode} in {@code torch.nn.init}. */
public enum FanMode {
    /** Preserve the variance of the activations in the forward pass (PyTorch's default). */
    FAN_IN,
    /** Preserve the variance of the gradients in the backward pass. */
    FAN_OUT
}
