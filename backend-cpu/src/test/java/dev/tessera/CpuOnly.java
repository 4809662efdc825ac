package dev.tessera;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class or method of the conformance kit that inherently needs the CPU backend (it
 * reads CPU internals, wraps the CPU backend in a counting test backend, or checks the CPU's thread
 * pool): it is disabled, with {@link #value()} as the reason, when the kit runs on another device
 * ({@code -Dtessera.test.device=...}, see {@link TestDevice}).
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(CpuOnlyCondition.class)
public @interface CpuOnly {
    /** Why the test needs the CPU backend. */
    String value();
}
