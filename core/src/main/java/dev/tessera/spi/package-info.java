/**
 * The backend service-provider interface: the small set of primitives a device must implement.
 *
 * <p>Autograd lives above this layer: a backend never computes a gradient. Every differentiable op
 * is defined once in {@code dev.tessera} from these primitives, so a new backend gets training for
 * free. Backends are found with {@link java.util.ServiceLoader} through {@link
 * dev.tessera.spi.BackendProvider}.
 */
package dev.tessera.spi;
