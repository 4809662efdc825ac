package dev.tessera.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;

import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUstream;

/**
 * One GPU's primary context and the one stream every kernel, memset, copy and cuBLAS call of the
 * device is queued on. The driver API needs the context current on the calling thread: {@link
 * #makeCurrent()} makes it so, cheaply (a thread-local check) when it already is.
 *
 * <p><b>Stream policy.</b> One in-order stream per device, shared by all threads (launches from
 * several threads are serialised by the stream, as on OpenCL's one queue). It is a blocking stream
 * ({@code CU_STREAM_DEFAULT}), so the synchronous uploads and reads ({@code cuMemcpyHtoD}, {@code
 * cuMemcpyDtoH}, which the driver runs on the legacy default stream) are ordered after the work
 * queued before them; nothing else waits for the device. One stream also makes the caching
 * allocator's immediate reuse of released blocks safe.
 *
 * @param name    the device's name in messages, e.g. {@code "cuda:0"}
 * @param device  the driver's device
 * @param context the device's primary context (shared with cuBLAS and any other library in the process)
 * @param stream  the device's stream
 */
record CudaContext(String name, CUdevice device, CUcontext context, CUstream stream) {
    private static final ThreadLocal<CUcontext> CURRENT = new ThreadLocal<>();

    /** Makes this context current on the calling thread (if it is not already). */
    void makeCurrent() {
        if (CURRENT.get() != context) {
            CudaCheck.check(cuCtxSetCurrent(context), name + ": cuCtxSetCurrent");
            CURRENT.set(context);
        }
    }
}
