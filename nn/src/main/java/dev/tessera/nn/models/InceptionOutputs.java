package dev.tessera.nn.models;

import dev.tessera.Tensor;

/**
 * What {@link Inception#outputs(Tensor)} returns, like torchvision's {@code InceptionOutputs}: the
 * main logits and, in training mode with the auxiliary classifier, its logits (else null).
 * torchvision's training recipe adds {@code 0.4 * loss(auxLogits)} to the main loss.
 *
 * @param logits    the main classifier's logits {@code [N, numClasses]}
 * @param auxLogits the auxiliary classifier's logits {@code [N, numClasses]}, or null in eval mode
 *                  or without the auxiliary classifier
 */
public record InceptionOutputs(Tensor logits, Tensor auxLogits) {
}
