/**
 * Tessera's core: {@link dev.tessera.Tensor} with define-by-run autograd, {@link
 * dev.tessera.Device}, {@link dev.tessera.Generator}, {@link dev.tessera.Shape} and {@link
 * dev.tessera.GradCheck}. The compute itself is done by a backend found through {@link
 * dev.tessera.spi.BackendProvider}; add {@code tessera-backend-cpu} to the classpath.
 */
package dev.tessera;
