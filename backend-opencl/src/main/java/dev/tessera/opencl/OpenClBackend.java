package dev.tessera.opencl;

import dev.tessera.DType;
import dev.tessera.Device;
import dev.tessera.spi.Backend;
import dev.tessera.spi.KernelBackend;
import dev.tessera.spi.KernelGemm;
import dev.tessera.spi.Storage;
import dev.tessera.spi.TiledGemm;
import java.util.Locale;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_mem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OpenCL backend of one device: storages are {@code cl_mem} buffers ({@link OpenClStorage}),
 * every primitive is a kernel from core's {@code dev/tessera/kernels/*.c} launched through {@link
 * ClKernels} on one in-order command queue, and matrix products go to CLBlast or the kernels' own
 * tiled GEMM ({@link TiledGemm}). Which kernels run with which arguments is planned by {@link
 * KernelBackend}; this class allocates, transfers and waits with OpenCL.
 *
 * <p>Kernels run asynchronously: a primitive returns once its kernel is queued; {@link
 * #readFloats}, {@link #readInts} and {@link #synchronize} wait for the queue, and report the
 * index errors the gather and scatter-add kernels recorded (see {@link KernelBackend}).
 *
 * <p>Thread-safe: kernels are launched under a lock per kernel object, the queue is shared.
 */
public final class OpenClBackend extends KernelBackend<OpenClStorage> {
    private static final Logger LOG = LoggerFactory.getLogger(OpenClBackend.class);

    private final ClDeviceRef ref;
    private final ClKernels kernels;
    private final cl_mem errors;
    private final KernelGemm gemm;

    /**
     * Opens the device {@code ref} in {@code context} (which may hold other devices of its platform)
     * with a new in-order queue; {@code gemmChoice} is {@code "own"}, {@code "clblast"} or {@code
     * "auto"} (CLBlast on GPUs and accelerators when it loads, the own kernel on CPU devices).
     */
    OpenClBackend(ClDeviceRef ref, cl_context context, String gemmChoice) {
        super(Device.opencl(ref.index()), "OpenCL", OpenClStorage.class);
        this.ref = ref;
        Device device = device();
        int[] err = new int[1];
        @SuppressWarnings("deprecation")
        cl_command_queue queue = CL.clCreateCommandQueue(context, ref.device(), 0, err);
        ClCheck.check(err[0], device + ": clCreateCommandQueue");
        this.kernels = new ClKernels(context, ref.device(), queue, device.toString());
        this.errors = CL.clCreateBuffer(context, CL.CL_MEM_READ_WRITE | CL.CL_MEM_COPY_HOST_PTR, 8L * Sizeof.cl_int,
                Pointer.to(new int[8]), err);
        ClCheck.check(err[0], device + ": clCreateBuffer(error flag)");
        this.gemm = chooseGemm(gemmChoice);
        LOG.info("{}: {} ({}), matrix multiply via {}", device, ref.name(), ref.type(), gemm.name());
    }

    private KernelGemm chooseGemm(String choice) {
        KernelGemm own = new TiledGemm(kernels);
        String c = choice == null ? "auto" : choice.trim().toLowerCase(Locale.ROOT);
        boolean wantBlast = switch (c) {
            case "own" -> false;
            case "clblast" -> true;
            case "auto", "" -> !ref.hostCpu();
            default -> throw new IllegalArgumentException("opencl backend: tessera.opencl.gemm is '" + choice
                    + "'; expected own, clblast or auto");
        };
        if (!wantBlast) {
            return own;
        }
        String why = ClBlastGemm.loadError();
        if (why != null) {
            LOG.warn("{}: CLBlast does not load ({}); using the own GEMM kernel", device(), why);
            return own;
        }
        return new ClBlastGemm(kernels, own);
    }

    /** Returns the launcher of this device's kernels, for fused kernels built on top of this backend. */
    @Override
    public ClKernels kernels() {
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

    @Override
    public String describe() {
        return device() + ": " + ref.name() + " (" + ref.detail() + "), matrix multiply via " + gemm.name();
    }

    // ---------------------------------------------------------------- memory

    /** Counts {@code mem} as a new storage in this backend's ledger (freed by release(), a scope or the cleaner). */
    private OpenClStorage wrap(cl_mem mem, DType dtype, int length) {
        return track(new OpenClStorage(this, mem, dtype, length), () -> CL.clReleaseMemObject(mem));
    }

    private cl_mem create(long bytes, long flags, Pointer host) {
        int[] err = new int[1];
        cl_mem mem = CL.clCreateBuffer(kernels.context(), flags, Math.max(bytes, Sizeof.cl_int), host, err);
        ClCheck.check(err[0], device() + ": clCreateBuffer(" + bytes + " bytes)");
        return mem;
    }

    @Override
    public OpenClStorage allocateUninitialised(DType dtype, int length) {
        return wrap(create((long) length * dtype.byteSize(), CL.CL_MEM_READ_WRITE, null), dtype, length);
    }

    @Override
    public Storage allocate(DType dtype, int length) {
        OpenClStorage s = allocateUninitialised(dtype, length);
        if (length > 0) {
            int status = CL.clEnqueueFillBuffer(kernels.queue(), s.mem(), Pointer.to(new int[] {0}), Sizeof.cl_int, 0,
                    (long) length * dtype.byteSize(), 0, null, null);
            ClCheck.check(status, device() + ": clEnqueueFillBuffer");
        }
        return s;
    }

    @Override
    public Storage upload(float[] data) {
        if (data.length == 0) {
            return allocate(DType.FLOAT32, 0);
        }
        return wrap(create((long) data.length * Sizeof.cl_float, CL.CL_MEM_READ_WRITE | CL.CL_MEM_COPY_HOST_PTR,
                Pointer.to(data)), DType.FLOAT32, data.length);
    }

    @Override
    public Storage upload(int[] data) {
        if (data.length == 0) {
            return allocate(DType.INT32, 0);
        }
        return wrap(create((long) data.length * Sizeof.cl_int, CL.CL_MEM_READ_WRITE | CL.CL_MEM_COPY_HOST_PTR,
                Pointer.to(data)), DType.INT32, data.length);
    }

    @Override
    protected void readBuffer(OpenClStorage from, int offset, float[] into) {
        readBuffer(from.mem(), (long) offset * 4, (long) into.length * 4, Pointer.to(into));
    }

    @Override
    protected void readBuffer(OpenClStorage from, int offset, int[] into) {
        readBuffer(from.mem(), (long) offset * 4, (long) into.length * 4, Pointer.to(into));
    }

    private void readBuffer(cl_mem mem, long offsetBytes, long bytes, Pointer host) {
        int status = CL.clEnqueueReadBuffer(kernels.queue(), mem, CL.CL_TRUE, offsetBytes, bytes, host, 0, null, null);
        ClCheck.check(status, device() + ": clEnqueueReadBuffer");
    }

    @Override
    protected Object errorRecord() {
        return errors;
    }

    @Override
    protected void readErrorRecord(int[] record) {
        readBuffer(errors, 0, (long) record.length * Sizeof.cl_int, Pointer.to(record));
    }

    @Override
    protected void clearErrorRecord() {
        int status = CL.clEnqueueWriteBuffer(kernels.queue(), errors, CL.CL_TRUE, 0, ERROR_RECORD_INTS * Sizeof.cl_int,
                Pointer.to(new int[ERROR_RECORD_INTS]), 0, null, null);
        ClCheck.check(status, device() + ": clEnqueueWriteBuffer(error flag)");
    }

    @Override
    protected void awaitQueue() {
        ClCheck.check(CL.clFinish(kernels.queue()), device() + ": clFinish");
    }

    /**
     * Copies on the device into any OpenCL device of this device's context (the copy kernel runs on
     * this device's queue, which is then drained so that the target's queue sees the data).
     */
    @Override
    protected KernelBackend<OpenClStorage> deviceCopyTarget(Backend target) {
        return target instanceof OpenClBackend t && t.kernels.context() == kernels.context() ? t : null;
    }

    @Override
    public String toString() {
        return "OpenClBackend[" + device() + ", " + ref.name() + "]";
    }
}
