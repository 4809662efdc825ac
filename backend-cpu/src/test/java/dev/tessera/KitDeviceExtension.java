package dev.tessera;

import java.util.Set;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs the conformance kit on the device named by {@code -Dtessera.test.device} (see {@link
 * TestDevice}): before each test class and each test of the kit's packages (dev.tessera and dev.tessera.spi),
 * makes that device the default ({@link Device#setDefault}), so that every factory without a device
 * creates tensors there; after the class, the CPU is the default again. Test classes of other
 * packages (the CPU backend's own {@code dev.tessera.cpu} tests, nn's tests that reuse this
 * test-jar) run with the CPU as default. Registered for every test by JUnit's extension
 * auto-detection ({@code junit-platform.properties} and {@code META-INF/services} in this test-jar).
 *
 * <p>Commands (from the repository root):
 *
 * <pre>
 * mvn -B -o -pl backend-cpu -am test                                     # the kit on the CPU (the default)
 * mvn -B -o -pl backend-cpu -am test -Dtessera.test.device=foreign \
 *     -Dtest='dev.tessera.*Test,dev.tessera.spi.*Test' -Dsurefire.failIfNoSpecifiedTests=false
 *                                     # the kit on a test backend that passes for another device
 * ... -Dtessera.test.device=foreign-composed   # the same with every fused kernel composed of primitives
 * ... -Dtessera.test.device=opencl:0           # the kit on a real device (its backend on the test classpath)
 * </pre>
 *
 * <p>Tests that need the CPU backend itself are marked {@link CpuOnly} and are skipped, with the
 * reason, on another device.
 *
 * <p>After each kit test on a device other than the CPU, the extension synchronises the device
 * ({@link dev.tessera.spi.Backend#synchronize()}). A device reports an error a kernel found (an
 * index out of range) at the next read or synchronisation; a test that leaves such an error unread
 * fails here, with the error as its cause, and the error is cleared, so that it is never blamed on
 * the next test. A test that expects an index error must read the result (as the CPU would have
 * thrown in the op itself).
 */
public final class KitDeviceExtension implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback,
        AfterAllCallback, ExecutionCondition {
    private static final Set<String> KIT_PACKAGES = Set.of("dev.tessera", "dev.tessera.spi");
    /** Why the kit's device cannot be used, "" when it can, null before it was checked. */
    private static volatile String unusable;

    /** Returns true when {@code testClass} belongs to the kit (runs on the test device). */
    static boolean inKit(Class<?> testClass) {
        return KIT_PACKAGES.contains(testClass.getPackageName());
    }

    private static void apply(ExtensionContext context) {
        boolean kit = context.getTestClass().map(KitDeviceExtension::inKit).orElse(false);
        if (kit && unusableReason() != null) {
            return; // its tests are disabled by evaluateExecutionCondition
        }
        Device wanted = kit ? TestDevice.get() : Device.cpu();
        if (!wanted.equals(Device.getDefault())) {
            Device.setDefault(wanted);
        }
    }

    /**
     * Returns why the kit's device cannot be used on this machine (e.g. no OpenCL driver
     * installed), as {@link Device#available()} says, or null when it can; checked once.
     */
    private static String unusableReason() {
        String reason = unusable;
        if (reason == null) {
            reason = check(TestDevice.get());
            unusable = reason;
        }
        return reason.isEmpty() ? null : reason;
    }

    private static String check(Device device) {
        if (device.equals(Device.cpu()) || TestDevice.isForeign()) {
            return "";
        }
        for (DeviceInfo info : Device.available()) {
            if (info.device().equals(device)) {
                return info.usable() ? "" : "the conformance kit's device " + device + " cannot be used here: " + info.detail();
            }
        }
        return "the conformance kit's device " + device + " is not reported by any backend on the classpath: "
                + Device.available();
    }

    /**
     * Disables each test of the kit, with the reason, when its device cannot be used here, so that
     * the build reports every one of them as skipped and why.
     */
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        boolean kit = context.getTestClass().map(KitDeviceExtension::inKit).orElse(false);
        if (!kit || context.getTestMethod().isEmpty()) {
            return ConditionEvaluationResult.enabled("not a kit test");
        }
        String reason = unusableReason();
        return reason == null ? ConditionEvaluationResult.enabled("the kit's device can be used")
                : ConditionEvaluationResult.disabled(reason);
    }

    /**
     * Fails a kit test that left an unread kernel error on its (non-CPU) device: synchronises the
     * device, which throws the error and clears it.
     */
    @Override
    public void afterEach(ExtensionContext context) {
        boolean kit = context.getTestClass().map(KitDeviceExtension::inKit).orElse(false);
        if (!kit || TestDevice.isCpu() || unusableReason() != null) {
            return;
        }
        try {
            TestDevice.backend().synchronize();
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new AssertionError("the test left an error on " + TestDevice.get() + " that it never read"
                    + " (a read or synchronize would have thrown it): " + e.getMessage(), e);
        }
    }

    /** Makes the kit's device the default for a kit class (the CPU for any other). */
    @Override
    public void beforeAll(ExtensionContext context) {
        apply(context);
    }

    /** Makes the kit's device the default again before each test (a test may have changed it). */
    @Override
    public void beforeEach(ExtensionContext context) {
        apply(context);
    }

    /** Makes the CPU the default again. */
    @Override
    public void afterAll(ExtensionContext context) {
        if (!Device.cpu().equals(Device.getDefault())) {
            Device.setDefault(Device.cpu());
        }
    }
}
