package dev.tessera.cuda;

import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemGetInfo;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUresult;

/** {@link DeviceMemory} of one GPU: {@code cuMemAlloc} and {@code cuMemFree} in its context. */
final class CudaMemory implements DeviceMemory<CUdeviceptr> {
    private final CudaContext context;

    CudaMemory(CudaContext context) {
        this.context = context;
    }

    @Override
    public CUdeviceptr allocate(long bytes) {
        context.makeCurrent();
        CUdeviceptr p = new CUdeviceptr();
        int status = cuMemAlloc(p, bytes);
        if (status == CUresult.CUDA_ERROR_OUT_OF_MEMORY) {
            return null;
        }
        CudaCheck.check(status, context.name() + ": cuMemAlloc(" + bytes + " bytes)");
        return p;
    }

    /** Waits for the device's stream, so that no queued kernel still uses a block about to be freed. */
    @Override
    public void quiesce() {
        context.makeCurrent();
        CudaCheck.check(cuStreamSynchronize(context.stream()), context.name() + ": cuStreamSynchronize");
    }

    @Override
    public void free(CUdeviceptr pointer) {
        context.makeCurrent();
        CudaCheck.check(cuMemFree(pointer), context.name() + ": cuMemFree");
    }

    @Override
    public String describe() {
        context.makeCurrent();
        long[] free = new long[1];
        long[] total = new long[1];
        if (cuMemGetInfo(free, total) != CUresult.CUDA_SUCCESS) {
            return "no figures (cuMemGetInfo failed)";
        }
        return CachingAllocator.bytes(free[0]) + " free of " + CachingAllocator.bytes(total[0]);
    }
}
