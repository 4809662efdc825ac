package dev.tessera.cuda;

import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuMemsetD32Async;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import dev.tessera.DType;
import dev.tessera.Device;
import dev.tessera.spi.KernelBackend;
import dev.tessera.spi.KernelGemm;
import dev.tessera.spi.Storage;
import dev.tessera.spi.TiledGemm;
import java.util.Locale;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CUDA backend of one GPU: storages are blocks of a {@link CachingAllocator} ({@link
 * CudaStorage}), every primitive is a kernel from core's {@code dev/tessera/kernels/*.c}, shipped
 * as PTX and launched through {@link CudaKernels}, and matrix products go to cuBLAS or the
 * kernels' own tiled GEMM ({@link TiledGemm}). Which kernels run with which arguments is planned
 * by {@link KernelBackend}; this class allocates, transfers and waits with the driver API.
 *
 * <p><b>Streams.</b> Everything of one GPU runs on one in-order stream shared by all threads (see
 * {@link CudaContext}): a primitive returns once its kernel is queued; only {@link #readFloats},
 * {@link #readInts} and {@link #synchronize} wait for the device (uploads wait for the copy).
 *
 * <p><b>Memory.</b> Released storages return their block to the allocator's cache, which the next
 * allocation of the same size class reuses; {@link #memoryStats()} reports the cached bytes, and
 * {@link #emptyCache()} hands them back to the driver. Out of memory, the cache is emptied once
 * before the allocation fails with a message saying what was asked, in use and cached.
 *
 * <p><b>Errors found on the device</b> (an index out of range in gather or scatter-add) are
 * reported at the next read or synchronize, as {@link KernelBackend} describes.
 *
 * <p>Thread-safe.
 */
public final class CudaBackend extends KernelBackend<CudaStorage> {
    private static final Logger LOG = LoggerFactory.getLogger(CudaBackend.class);

    private final CudaDeviceRef ref;
    private final CudaContext context;
    private final CudaKernels kernels;
    private final CachingAllocator<CUdeviceptr> allocator;
    private final CUdeviceptr errors;
    private final KernelGemm gemm;

    /**
     * Opens GPU {@code ref} in {@code context} (its primary context and stream, created by the
     * probe); {@code gemmChoice} is {@code "own"}, {@code "cublas"} or {@code "auto"} (cuBLAS when
     * it loads, else the own kernel).
     */
    CudaBackend(CudaDeviceRef ref, CudaContext context, String gemmChoice) {
        super(Device.cuda(ref.index()), "CUDA", CudaStorage.class);
        this.ref = ref;
        this.context = context;
        Device device = device();
        this.kernels = new CudaKernels(context);
        CudaMemory memory = new CudaMemory(context);
        this.allocator = new CachingAllocator<>(memory, device.toString());
        this.errors = memory.allocate(8L * Integer.BYTES);
        if (errors == null) {
            throw new IllegalStateException(device + ": out of device memory for the 32-byte error buffer");
        }
        context.makeCurrent();
        CudaCheck.check(cuMemcpyHtoD(errors, Pointer.to(new int[8]), 8L * Integer.BYTES), device + ": cuMemcpyHtoD");
        this.gemm = chooseGemm(gemmChoice);
        LOG.info("{}: {} (compute capability {}.{}), matrix multiply via {}", device, ref.name(), ref.major(), ref.minor(),
                gemm.name());
    }

    private KernelGemm chooseGemm(String choice) {
        KernelGemm own = new TiledGemm(kernels);
        String c = choice == null ? "auto" : choice.trim().toLowerCase(Locale.ROOT);
        switch (c) {
            case "own":
                return own;
            case "cublas", "auto", "":
                break;
            default:
                throw new IllegalArgumentException("cuda backend: tessera.cuda.gemm is '" + choice
                        + "'; expected own, cublas or auto");
        }
        String why = CublasGemm.loadError();
        if (why == null) {
            try {
                return new CublasGemm(context, own);
            } catch (IllegalStateException | LinkageError e) {
                why = "cuBLAS does not start (" + e.getMessage() + "), so matrix products use Tessera's own GEMM kernel";
            }
        }
        CublasGemm.warnOnce(why);
        return own;
    }

    /** Returns the launcher of this device's kernels. */
    @Override
    public CudaKernels kernels() {
        return kernels;
    }

    @Override
    protected KernelGemm gemm() {
        return gemm;
    }

    /** Returns a GEMM of the given choice on this device, for tests that compare the two. */
    KernelGemm gemm(String choice) {
        return chooseGemm(choice);
    }

    /**
     * Frees the device memory the caching allocator holds for reuse (after waiting for the stream)
     * and returns how many bytes were freed; storages in use are not affected.
     */
    public long emptyCache() {
        return allocator.emptyCache();
    }

    /** Returns the GPU's memory in bytes. */
    public long totalMemory() {
        return ref.totalMemory();
    }

    /** Returns this device's caching allocator, for tests. */
    CachingAllocator<CUdeviceptr> allocator() {
        return allocator;
    }

    @Override
    public String describe() {
        return device() + ": " + ref.name() + " (" + ref.detail() + "), matrix multiply via " + gemm.name();
    }

    // ---------------------------------------------------------------- memory

    @Override
    public CudaStorage allocateUninitialised(DType dtype, int length) {
        long bytes = (long) length * dtype.byteSize();
        CachingAllocator.Block<CUdeviceptr> block = allocator.allocate(Math.max(bytes, Integer.BYTES));
        CachingAllocator<CUdeviceptr> a = allocator;
        return track(new CudaStorage(this, block.pointer(), dtype, length), () -> a.release(block));
    }

    @Override
    public Storage allocate(DType dtype, int length) {
        CudaStorage s = allocateUninitialised(dtype, length);
        if (length > 0) {
            context.makeCurrent();
            CudaCheck.check(cuMemsetD32Async(s.pointer(), 0, length, context.stream()), device() + ": cuMemsetD32Async");
        }
        return s;
    }

    @Override
    public Storage upload(float[] data) {
        CudaStorage s = allocateUninitialised(DType.FLOAT32, data.length);
        if (data.length > 0) {
            context.makeCurrent();
            CudaCheck.check(cuMemcpyHtoD(s.pointer(), Pointer.to(data), 4L * data.length), device() + ": cuMemcpyHtoD");
        }
        return s;
    }

    @Override
    public Storage upload(int[] data) {
        CudaStorage s = allocateUninitialised(DType.INT32, data.length);
        if (data.length > 0) {
            context.makeCurrent();
            CudaCheck.check(cuMemcpyHtoD(s.pointer(), Pointer.to(data), 4L * data.length), device() + ": cuMemcpyHtoD");
        }
        return s;
    }

    @Override
    protected void readBuffer(CudaStorage from, int offset, float[] into) {
        readBuffer(from.pointer().withByteOffset(4L * offset), 4L * into.length, Pointer.to(into));
    }

    @Override
    protected void readBuffer(CudaStorage from, int offset, int[] into) {
        readBuffer(from.pointer().withByteOffset(4L * offset), 4L * into.length, Pointer.to(into));
    }

    /** A synchronous copy to the host: the driver runs it after the work queued on the device's stream. */
    private void readBuffer(CUdeviceptr from, long bytes, Pointer host) {
        context.makeCurrent();
        CudaCheck.check(cuMemcpyDtoH(host, from, bytes), device() + ": cuMemcpyDtoH");
    }

    @Override
    protected Object errorRecord() {
        return errors;
    }

    @Override
    protected void readErrorRecord(int[] record) {
        readBuffer(errors, (long) record.length * Integer.BYTES, Pointer.to(record));
    }

    @Override
    protected void clearErrorRecord() {
        CudaCheck.check(cuMemcpyHtoD(errors, Pointer.to(new int[ERROR_RECORD_INTS]), (long) ERROR_RECORD_INTS
                * Integer.BYTES), device() + ": cuMemcpyHtoD(error flag)");
    }

    @Override
    protected void awaitQueue() {
        context.makeCurrent();
        CudaCheck.check(cuStreamSynchronize(context.stream()), device() + ": cuStreamSynchronize");
    }

    /** Returns the bytes the caching allocator holds for reuse. */
    @Override
    protected long bytesCached() {
        return allocator.bytesCached();
    }

    @Override
    public String toString() {
        return "CudaBackend[" + device() + ", " + ref.name() + "]";
    }
}
