package dev.tessera.cuda;

import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDeviceTotalMem;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuDriverGetVersion;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuModuleUnload;
import static jcuda.driver.JCudaDriver.cuStreamCreate;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;
import jcuda.driver.JCudaDriver;

/**
 * Lists the NVIDIA GPUs through JCuda's driver API. Every way this can fail (no driver library, a
 * driver too old, no GPU) becomes a {@link Failure} with one sentence saying what to install
 * ({@link Availability}). The first class of the backend that touches JCuda.
 */
final class CudaProbe {
    /** Why no GPU could be listed at all. */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;

        Failure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private CudaProbe() {
    }

    /**
     * Loads the driver, initialises it and returns every GPU, each with the reason it cannot be
     * used (an old compute capability) or none.
     *
     * @throws Failure when the driver cannot be loaded or initialised, is too old, or finds no GPU
     */
    static List<CudaDeviceRef> devices() throws Failure {
        try {
            JCudaDriver.setExceptionsEnabled(false);
        } catch (LinkageError e) {
            throw new Failure(Availability.linkError(messages(e), Availability.osArch()), e);
        }
        int status = cuInit(0);
        if (status != CUresult.CUDA_SUCCESS) {
            throw new Failure(Availability.initFailed(status, CUresult.stringFor(status)), null);
        }
        int[] version = new int[1];
        CudaCheck.check(cuDriverGetVersion(version), "cuDriverGetVersion");
        String old = Availability.driverTooOld(version[0]);
        if (old != null) {
            throw new Failure(old, null);
        }
        int[] count = new int[1];
        status = cuDeviceGetCount(count);
        if (status != CUresult.CUDA_SUCCESS || count[0] == 0) {
            throw new Failure(Availability.initFailed(CUresult.CUDA_ERROR_NO_DEVICE, status == CUresult.CUDA_SUCCESS
                    ? "0 devices" : CUresult.stringFor(status)), null);
        }
        List<CudaDeviceRef> found = new ArrayList<>();
        for (int i = 0; i < count[0]; i++) {
            CUdevice d = device(i);
            byte[] name = new byte[256];
            cuDeviceGetName(name, name.length, d);
            long[] memory = new long[1];
            cuDeviceTotalMem(memory, d);
            int major = attribute(d, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
            int minor = attribute(d, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
            int sms = attribute(d, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
            found.add(new CudaDeviceRef(i, cString(name), memory[0], major, minor, sms, version[0],
                    Availability.computeCapability(major, minor)));
        }
        return found;
    }

    /** Returns the driver's handle of GPU {@code index}. */
    static CUdevice device(int index) {
        CUdevice d = new CUdevice();
        CudaCheck.check(cuDeviceGet(d, index), "cuDeviceGet(" + index + ")");
        return d;
    }

    /**
     * Retains {@code ref}'s primary context, creates its stream and loads the trial module
     * (probe.ptx) there; returns the context, or throws a {@link Failure} saying why the GPU cannot
     * run Tessera's kernels (e.g. a driver that rejects the PTX).
     */
    static CudaContext open(CudaDeviceRef ref) throws Failure {
        String name = "cuda:" + ref.index();
        CUdevice d = device(ref.index());
        CUcontext context = new CUcontext();
        int status = cuDevicePrimaryCtxRetain(context, d);
        if (status != CUresult.CUDA_SUCCESS) {
            throw new Failure("a CUDA context cannot be created on this GPU (cuDevicePrimaryCtxRetain: "
                    + CUresult.stringFor(status) + "); check that no other process holds it in exclusive mode"
                    + " (nvidia-smi -q | grep -i compute)", null);
        }
        CudaContext c = new CudaContext(name, d, context, new CUstream());
        c.makeCurrent();
        CudaCheck.check(cuStreamCreate(c.stream(), CUstream_flags.CU_STREAM_DEFAULT), name + ": cuStreamCreate");
        CUmodule trial = new CUmodule();
        status = cuModuleLoadData(trial, PtxSource.image("probe.c"));
        if (status != CUresult.CUDA_SUCCESS) {
            throw new Failure(Availability.ptxRejected(status, CUresult.stringFor(status), ref.driverVersion()), null);
        }
        cuModuleUnload(trial);
        return c;
    }

    private static int attribute(CUdevice d, int attribute) {
        int[] v = new int[1];
        CudaCheck.check(cuDeviceGetAttribute(v, attribute, d), "cuDeviceGetAttribute(" + attribute + ")");
        return v[0];
    }

    /** The messages of {@code t} and its causes, one a line. */
    static String messages(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            b.append(c).append('\n');
        }
        return b.toString();
    }

    private static String cString(byte[] buf) {
        int n = 0;
        while (n < buf.length && buf[n] != 0) {
            n++;
        }
        return new String(buf, 0, n, StandardCharsets.UTF_8).trim();
    }
}
