package dev.tessera;

import java.lang.reflect.AnnotatedElement;
import java.util.Optional;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The condition behind {@link CpuOnly}: enabled when the test device is the CPU, else disabled with
 * the annotation's reason and the device the kit runs on.
 */
public final class CpuOnlyCondition implements ExecutionCondition {

    /** Disables an element annotated with {@link CpuOnly} unless {@link TestDevice#isCpu()}. */
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        Optional<AnnotatedElement> element = context.getElement();
        Optional<CpuOnly> cpuOnly = element.flatMap(e -> AnnotationSupport.findAnnotation(e, CpuOnly.class));
        if (cpuOnly.isEmpty() || TestDevice.isCpu()) {
            return ConditionEvaluationResult.enabled("runs on " + TestDevice.name());
        }
        return ConditionEvaluationResult.disabled("CPU only (" + cpuOnly.get().value() + "); the kit runs on "
                + TestDevice.name());
    }
}
