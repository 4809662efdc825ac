package dev.tessera.spark;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives test classes ({@code @ExtendWith(SharedSpark.class)}) the one embedded Spark ({@code
 * local[2]}) they all share, as a {@link SparkExecutor} parameter: Spark takes seconds to start, so
 * it starts once, on first use, and JUnit closes it (it is {@link AutoCloseable}, kept in the root
 * store) when the whole test run ends.
 */
public final class SharedSpark implements ParameterResolver {

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == SparkExecutor.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(SharedSpark.class.getName(), k -> SparkExecutor.local(2), SparkExecutor.class);
    }
}
