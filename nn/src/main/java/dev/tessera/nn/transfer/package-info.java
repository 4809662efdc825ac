/**
 * Transfer learning: reuse a model trained on a large dataset as the starting point for a new task
 * with little data.
 *
 * <ul>
 *   <li>{@link dev.tessera.nn.transfer.Pretrained} loads pretrained weights (a Tessera state dict or
 *       checkpoint, or a PyTorch {@code state_dict} exported to safetensors), renaming keys with a
 *       {@link dev.tessera.nn.transfer.KeyMap} and skipping what does not fit (e.g. the old head) as
 *       {@link dev.tessera.nn.transfer.LoadOptions} say; the {@link
 *       dev.tessera.nn.transfer.TransferReport} lists what was loaded, skipped, unexpected and left
 *       at its initial values.
 *   <li>{@link dev.tessera.nn.transfer.Heads} replaces the classifier head (a named submodule or
 *       the last layer of a Sequential) and builds new heads.
 *   <li>{@link dev.tessera.nn.transfer.FeatureExtractor} caches a frozen backbone's features over
 *       a dataset, so a new head trains on them without running the backbone every epoch.
 *   <li>{@link dev.tessera.nn.transfer.FineTuning} freezes and unfreezes by {@link
 *       dev.tessera.nn.transfer.NamePattern}, up to a named layer or by top-level block, and builds
 *       optimizer parameter groups with discriminative learning rates; {@link
 *       dev.tessera.nn.transfer.FrozenBatchNormEval} keeps frozen BatchNorm layers in eval mode and
 *       {@link dev.tessera.nn.transfer.GradualUnfreezing} unfreezes one more block every few epochs.
 * </ul>
 */
package dev.tessera.nn.transfer;
