package dev.tessera.nn.selection;

import dev.tessera.Tensor;
import dev.tessera.nn.optim.Optimizer;
import java.io.Serializable;
import java.util.List;
import java.util.function.Function;

/**
 * Builds the optimizer of a new model from its parameters, e.g. {@code ps -> new Adam(ps, 1e-3f)};
 * called once per model by {@link TrainerConfig#newTrainer}.
 *
 * <p>Serializable, so that a lambda written for a {@link TrainerConfig} can be shipped to the
 * machines that train models elsewhere (it must then capture only serializable values, such as
 * numbers or {@link Params}).
 */
@FunctionalInterface
public interface OptimizerFactory extends Function<List<Tensor>, Optimizer>, Serializable {
}
