package dev.tessera.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each way CUDA can fail to start gives one sentence with what to do (no GPU needed). */
class AvailabilityTest {
    /** JCuda's own message when libcuda.so.1 is missing (abridged from a real run without a driver). */
    private static final String NO_LIBCUDA = "java.lang.UnsatisfiedLinkError: Error while loading native library"
            + " \"JCudaDriver-12.6.0-linux-x86_64\"\nOperating system name: Linux\n---(start of nested stack traces)---\n"
            + "java.lang.UnsatisfiedLinkError: no JCudaDriver-12.6.0-linux-x86_64 in java.library.path: /usr/lib\n"
            + "\tat java.base/java.lang.ClassLoader.loadLibrary(ClassLoader.java:2434)\n"
            + "java.lang.UnsatisfiedLinkError: /tmp/libJCudaDriver-12.6.0-linux-x86_64.so: libcuda.so.1: cannot open"
            + " shared object file: No such file or directory\n\tat java.base/jdk.internal.loader.NativeLibraries.load\n";

    private static void assertOneSentenceWithWhatToDo(String s) {
        assertTrue(s.contains("install") || s.contains("update") || s.contains("check") || s.contains("use a"), s);
        assertTrue(!s.contains("\n"), "one line: " + s);
        assertTrue(!s.endsWith("."), "a clause that DeviceInfo can show in parentheses: " + s);
    }

    @Test
    void noDriverLibrarySaysToInstallTheDriver() {
        String s = Availability.linkError(NO_LIBCUDA, "linux-amd64");
        assertTrue(s.startsWith("the NVIDIA driver library (libcuda.so.1) cannot be loaded"), s);
        assertTrue(s.contains(Availability.INSTALL_DRIVER), s);
        assertOneSentenceWithWhatToDo(s);
    }

    @Test
    void aMissingDriverSymbolMeansTheDriverIsTooOld() {
        String s = Availability.linkError("java.lang.UnsatisfiedLinkError: /tmp/libJCudaDriver-12.6.0-linux-x86_64.so:"
                + " undefined symbol: cuGraphAddNode_v2\n", "linux-amd64");
        assertTrue(s.startsWith("the NVIDIA driver is too old for JCuda 12.6 (/tmp/libJCudaDriver-12.6.0-linux-x86_64.so:"
                + " undefined symbol: cuGraphAddNode_v2)"), s);
        assertOneSentenceWithWhatToDo(s);
    }

    @Test
    void anotherPlatformIsNamed() {
        String s = Availability.linkError("java.lang.UnsatisfiedLinkError: Error while loading native library"
                + " \"JCudaDriver-12.6.0-apple-aarch64\"", "mac_os_x-aarch64");
        assertTrue(s.contains("does not load on mac_os_x-aarch64"), s);
        assertOneSentenceWithWhatToDo(s);
    }

    @ParameterizedTest
    @CsvSource({"100, CUDA_ERROR_NO_DEVICE, finds no GPU", "34, CUDA_ERROR_STUB_LIBRARY, the CUDA toolkit's stub",
        "35, CUDA_ERROR_INSUFFICIENT_DRIVER, too old", "999, CUDA_ERROR_UNKNOWN, does not initialise",
        "304, CUDA_ERROR_OPERATING_SYSTEM, does not initialise"})
    void eachInitFailureExplainsItself(int code, String name, String expected) {
        String s = Availability.initFailed(code, name);
        assertTrue(s.contains(expected) && s.contains(name), s);
        assertOneSentenceWithWhatToDo(s);
    }

    @Test
    void driverVersionsFromCuda118OnAreNewEnough() {
        assertNull(Availability.driverTooOld(11080));
        assertNull(Availability.driverTooOld(12040));
        assertNull(Availability.driverTooOld(13000));
        String s = Availability.driverTooOld(11040);
        assertTrue(s.startsWith("the NVIDIA driver supports CUDA 11.4 but Tessera's kernels need CUDA 11.8 or newer"), s);
        assertOneSentenceWithWhatToDo(s);
    }

    @ParameterizedTest
    @CsvSource({"7, 5, true", "8, 0, true", "9, 0, true", "12, 0, true", "7, 0, false", "6, 1, false", "5, 2, false"})
    void computeCapability75AndNewerIsSupported(int major, int minor, boolean supported) {
        String s = Availability.computeCapability(major, minor);
        assertEquals(supported, s == null, s);
        if (s != null) {
            assertTrue(s.startsWith("compute capability " + major + "." + minor + " is older than 7.5"), s);
            assertOneSentenceWithWhatToDo(s);
        }
    }

    @Test
    void aRejectedPtxAsksForANewerDriver() {
        String s = Availability.ptxRejected(222, "CUDA_ERROR_UNSUPPORTED_PTX_VERSION", 11070);
        assertTrue(s.contains("CUDA 11.7") && s.contains("PTX ISA 7.8") && s.contains("update the driver"), s);
        assertOneSentenceWithWhatToDo(s);
    }

    @Test
    void missingCublasFallsBackAndSaysWhatToInstall() {
        String s = Availability.cublasMissing("java.lang.UnsatisfiedLinkError: Error while loading native library"
                + " \"JCublas2-12.6.0-linux-x86_64\"\njava.lang.UnsatisfiedLinkError: /tmp/libJCublas2-12.6.0-linux-x86_64.so:"
                + " libcublas.so.12: cannot open shared object file: No such file or directory\n");
        assertTrue(s.startsWith("libcublas.so.12 is not installed, so matrix products use Tessera's own GEMM kernel"), s);
        assertTrue(s.contains(Availability.INSTALL_CUBLAS), s);
        assertOneSentenceWithWhatToDo(s);
    }

    @Test
    void cudaVersionsAreShownAsMajorDotMinor() {
        assertEquals("12.4", Availability.cudaVersion(12040));
        assertEquals("13.0", Availability.cudaVersion(13000));
        assertEquals("11.8", Availability.cudaVersion(11080));
    }
}
