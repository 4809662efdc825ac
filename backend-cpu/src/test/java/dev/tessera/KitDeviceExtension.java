package dev.tessera;

import org.junit.jupiter.api.Assumptions;
import java.util.Set;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
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
 */
public final class KitDeviceExtension implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback {
    private static final Set<String> KIT_PACKAGES = Set.of("dev.tessera", "dev.tessera.spi");

    /** Returns true when {@code testClass} belongs to the kit (runs on the test device). */
    static boolean inKit(Class<?> testClass) {
        return KIT_PACKAGES.contains(testClass.getPackageName());
    }

    private static void apply(ExtensionContext context) {
        boolean kit = context.getTestClass().map(KitDeviceExtension::inKit).orElse(false);
        Device wanted = kit ? TestDevice.get() : Device.cpu();
        if (kit) {
            requireUsable(wanted);
        }
        if (!wanted.equals(Device.getDefault())) {
            Device.setDefault(wanted);
        }
    }

    /**
     * Skips (aborts) the kit's tests, with the reason {@link Device#available()} gives, when the
     * device they should run on cannot be used on this machine, e.g. no OpenCL driver installed.
     */
    private static void requireUsable(Device device) {
        if (device.equals(Device.cpu()) || TestDevice.isForeign()) {
            return;
        }
        for (DeviceInfo info : Device.available()) {
            if (info.device().equals(device)) {
                Assumptions.assumeTrue(info.usable(), () -> "the conformance kit's device " + device
                        + " cannot be used here: " + info.detail());
                return;
            }
        }
        Assumptions.assumeTrue(false, () -> "the conformance kit's device " + device + " is not reported by any backend"
                + " on the classpath: " + Device.available());
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
