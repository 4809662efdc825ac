package dev.tessera.opencl;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_context;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;
import org.jocl.cl_program;

/**
 * Lists the OpenCL platforms and devices through JOCL. Every way this can fail is turned into a
 * {@link Failure} with one sentence saying what to install; nothing here throws. The first class
 * of the backend that touches {@code org.jocl.CL}.
 */
final class ClProbe {
    /** What to install when there is no usable OpenCL runtime. */
    static final String INSTALL = "install an OpenCL driver: on Debian/Ubuntu `apt install ocl-icd-libopencl1"
            + " pocl-opencl-icd` for CPUs, `intel-opencl-icd`, `mesa-opencl-icd` or the GPU vendor's driver for GPUs";

    /** Why no device could be listed at all. */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;

        Failure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private ClProbe() {
    }

    /**
     * Returns every device of every platform, numbered in one global order.
     *
     * @throws Failure when the OpenCL library cannot be loaded or lists no platform or no device
     */
    static List<ClDeviceRef> devices() throws Failure {
        cl_platform_id[] platforms;
        try {
            int[] count = new int[1];
            int status = CL.clGetPlatformIDs(0, null, count);
            if (status == -1001 || (status == CL.CL_SUCCESS && count[0] == 0)) {
                throw new Failure("no OpenCL platform is installed (clGetPlatformIDs: "
                        + (status == -1001 ? "CL_PLATFORM_NOT_FOUND_KHR" : "0 platforms") + "); " + INSTALL, null);
            }
            ClCheck.check(status, "clGetPlatformIDs");
            platforms = new cl_platform_id[count[0]];
            ClCheck.check(CL.clGetPlatformIDs(platforms.length, platforms, null), "clGetPlatformIDs");
        } catch (LinkageError e) {
            throw new Failure("the OpenCL library (libOpenCL.so.1) could not be loaded (" + e.getMessage() + "); " + INSTALL, e);
        } catch (IllegalStateException | org.jocl.CLException e) {
            throw new Failure("OpenCL could not list its platforms (" + e.getMessage() + "); " + INSTALL, e);
        }
        List<ClDeviceRef> found = new ArrayList<>();
        for (cl_platform_id platform : platforms) {
            String platformName = platformString(platform, CL.CL_PLATFORM_NAME);
            int[] count = new int[1];
            int status = CL.clGetDeviceIDs(platform, CL.CL_DEVICE_TYPE_ALL, 0, null, count);
            if (status != CL.CL_SUCCESS || count[0] == 0) {
                continue; // CL_DEVICE_NOT_FOUND: a platform without devices
            }
            cl_device_id[] devices = new cl_device_id[count[0]];
            if (CL.clGetDeviceIDs(platform, CL.CL_DEVICE_TYPE_ALL, devices.length, devices, null) != CL.CL_SUCCESS) {
                continue;
            }
            for (cl_device_id d : devices) {
                found.add(describe(found.size(), platform, platformName, d));
            }
        }
        if (found.isEmpty()) {
            throw new Failure("OpenCL lists " + platforms.length + (platforms.length == 1 ? " platform" : " platforms")
                    + " but no device; " + INSTALL, null);
        }
        return found;
    }

    private static ClDeviceRef describe(int index, cl_platform_id platform, String platformName, cl_device_id d) {
        String name = deviceString(d, CL.CL_DEVICE_NAME);
        long type = deviceLong(d, CL.CL_DEVICE_TYPE);
        String typeName = (type & CL.CL_DEVICE_TYPE_GPU) != 0 ? "GPU"
                : (type & CL.CL_DEVICE_TYPE_CPU) != 0 ? "CPU"
                : (type & CL.CL_DEVICE_TYPE_ACCELERATOR) != 0 ? "accelerator" : "other";
        long memory = deviceLong(d, CL.CL_DEVICE_GLOBAL_MEM_SIZE);
        int units = deviceInt(d, CL.CL_DEVICE_MAX_COMPUTE_UNITS);
        String version = deviceString(d, CL.CL_DEVICE_VERSION);
        String problem = null;
        if (deviceInt(d, CL.CL_DEVICE_AVAILABLE) == 0) {
            problem = "the driver reports the device as not available";
        } else if (deviceInt(d, CL.CL_DEVICE_COMPILER_AVAILABLE) == 0) {
            problem = "the driver has no OpenCL C compiler for this device; install the vendor's full OpenCL driver";
        } else if (!atLeast12(version)) {
            problem = "the device supports " + version + " but Tessera needs OpenCL 1.2; update the device's OpenCL driver";
        } else if (deviceLong(d, CL.CL_DEVICE_MAX_WORK_GROUP_SIZE) < 256) {
            problem = "the device's work-groups hold fewer than 256 items, which Tessera's kernels need";
        }
        return new ClDeviceRef(index, platform, d, platformName, name, typeName, memory, units, version, problem);
    }

    /**
     * Builds a one-kernel program with the prelude and common.h for {@code ref} in {@code context}
     * and returns null, or the reason it does not build (one sentence with what to do, and the log).
     */
    static String trialBuild(cl_context context, ClDeviceRef ref) {
        String source = ClKernels.source("probe.c");
        try {
            cl_program p = ClKernels.buildSource(context, ref.device(), source, "probe.c", "opencl:" + ref.index());
            CL.clReleaseProgram(p);
            return null;
        } catch (IllegalStateException e) {
            return "Tessera's kernels do not compile with this OpenCL driver; update the driver ("
                    + e.getMessage().replace('\n', ' ') + ")";
        }
    }

    private static boolean atLeast12(String version) {
        // "OpenCL <major>.<minor> ..."
        String[] parts = version.split(" ");
        if (parts.length < 2) {
            return false;
        }
        String[] mm = parts[1].split("\\.");
        try {
            int major = Integer.parseInt(mm[0]);
            int minor = mm.length > 1 ? Integer.parseInt(mm[1].replaceAll("[^0-9].*", "")) : 0;
            return major > 1 || (major == 1 && minor >= 2);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static String platformString(cl_platform_id p, int param) {
        long[] size = new long[1];
        CL.clGetPlatformInfo(p, param, 0, null, size);
        byte[] buf = new byte[(int) Math.max(1, size[0])];
        CL.clGetPlatformInfo(p, param, buf.length, Pointer.to(buf), null);
        return cString(buf);
    }

    static String deviceString(cl_device_id d, int param) {
        long[] size = new long[1];
        CL.clGetDeviceInfo(d, param, 0, null, size);
        byte[] buf = new byte[(int) Math.max(1, size[0])];
        CL.clGetDeviceInfo(d, param, buf.length, Pointer.to(buf), null);
        return cString(buf);
    }

    static long deviceLong(cl_device_id d, int param) {
        long[] v = new long[1];
        CL.clGetDeviceInfo(d, param, Sizeof.cl_long, Pointer.to(v), null);
        return v[0];
    }

    static int deviceInt(cl_device_id d, int param) {
        int[] v = new int[1];
        CL.clGetDeviceInfo(d, param, Sizeof.cl_int, Pointer.to(v), null);
        return v[0];
    }

    private static String cString(byte[] buf) {
        int n = 0;
        while (n < buf.length && buf[n] != 0) {
            n++;
        }
        return new String(buf, 0, n, StandardCharsets.UTF_8).trim();
    }
}
