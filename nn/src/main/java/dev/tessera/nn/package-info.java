/**
 * Neural-network building blocks: {@link dev.tessera.nn.Module} (parameters, buffers, submodules,
 * state dicts, train/eval, devices), {@link dev.tessera.nn.Sequential}, the layers ({@link
 * dev.tessera.nn.Linear}, {@link dev.tessera.nn.BatchNorm1d}, {@link dev.tessera.nn.LayerNorm},
 * {@link dev.tessera.nn.Embedding}, {@link dev.tessera.nn.Dropout}, ...), activation modules,
 * {@link dev.tessera.nn.Init} initialisers and the global seed {@link dev.tessera.nn.Random}.
 */
package dev.tessera.nn;
