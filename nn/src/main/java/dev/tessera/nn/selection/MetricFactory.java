package dev.tessera.nn.selection;

import dev.tessera.nn.metrics.Metric;
import java.io.Serializable;
import java.util.function.Supplier;

/**
 * Makes a new {@link Metric} for each fold, e.g. {@code Metric::accuracy} or {@code () ->
 * Metric.macroF1(3)}: a fold's trainer updates its metrics, so folds cannot share one.
 *
 * <p>Serializable, so that a lambda or method reference written for {@link CrossValidation} can be
 * shipped to the machines that run folds elsewhere (it must then capture only serializable values).
 */
@FunctionalInterface
public interface MetricFactory extends Supplier<Metric>, Serializable {
}
