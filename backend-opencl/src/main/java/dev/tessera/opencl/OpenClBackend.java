package dev.tessera.opencl;

import dev.tessera.spi.KernelLayout;
import dev.tessera.DType;
import dev.tessera.Device;
import dev.tessera.MemoryStats;
import dev.tessera.Shape;
import dev.tessera.spi.AdamSpec;
import dev.tessera.spi.Backend;
import dev.tessera.spi.BinaryOp;
import dev.tessera.spi.Conv2dSpec;
import dev.tessera.spi.MemoryLedger;
import dev.tessera.spi.Pool2dSpec;
import dev.tessera.spi.ReduceOp;
import dev.tessera.spi.Storage;
import dev.tessera.spi.UnaryOp;
import dev.tessera.spi.View;
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
 * ClKernels} on one in-order command queue, and matrix products go to CLBlast or the backend's
 * own tiled kernel ({@link ClGemm}).
 *
 * <p>Kernels run asynchronously: a primitive returns once its kernel is queued; {@link
 * #readFloats}, {@link #readInts} and {@link #synchronize} wait for the queue.
 *
 * <p><b>Errors found on the device.</b> A kernel cannot throw: gather and scatter-add record the
 * first out-of-range index in an error buffer of this backend, and the next {@code readFloats},
 * {@code readInts} or {@code synchronize} on this device (from any thread) throws the {@link
 * IllegalArgumentException} naming the op, the index and the size, then clears the record — as
 * CUDA reports device-side assertions at the next synchronising call.
 *
 * <p>Thread-safe: kernels are launched under a lock per kernel object, the queue is shared.
 */
public final class OpenClBackend implements Backend {
    private static final Logger LOG = LoggerFactory.getLogger(OpenClBackend.class);
    /** Lines at least this long get a work-group each in reductions and softmaxes, shorter ones a work-item each. */
    static final int TREE_MIN_LINE = 128;
    private static final String EW = "elementwise.c";
    private static final String RED = "reduce.c";
    private static final String IDX = "index.c";

    private final Device device;
    private final ClDeviceRef ref;
    private final ClKernels kernels;
    private final cl_mem errors;
    private final Object errorLock = new Object();
    private final ClGemm gemm;
    private final MemoryLedger ledger = new MemoryLedger();

    /**
     * Opens the device {@code ref} in {@code context} (which may hold other devices of its platform)
     * with a new in-order queue; {@code gemmChoice} is {@code "own"}, {@code "clblast"} or {@code
     * "auto"} (CLBlast on GPUs and accelerators when it loads, the own kernel on CPU devices).
     */
    OpenClBackend(ClDeviceRef ref, cl_context context, String gemmChoice) {
        this.ref = ref;
        this.device = Device.opencl(ref.index());
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

    private ClGemm chooseGemm(String choice) {
        ClGemm own = new OwnGemm(kernels);
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
            LOG.warn("{}: CLBlast does not load ({}); using the own GEMM kernel", device, why);
            return own;
        }
        return new ClBlastGemm(kernels, own);
    }

    /** Returns the launcher of this device's kernels, for fused kernels built on top of this backend. */
    public ClKernels kernels() {
        return kernels;
    }

    /** Returns the name of the GEMM in use ({@code "CLBlast"} or {@code "own tiled kernel"}). */
    public String gemmName() {
        return gemm.name();
    }

    /** Returns a GEMM of the given choice on this device, for tests that compare the two. */
    ClGemm gemm(String choice) {
        return chooseGemm(choice);
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public String describe() {
        return device + ": " + ref.name() + " (" + ref.detail() + "), matrix multiply via " + gemm.name();
    }

    // ---------------------------------------------------------------- memory

    /** Counts {@code mem} as a new storage in this backend's ledger (freed by release(), a scope or the cleaner). */
    private OpenClStorage wrap(cl_mem mem, DType dtype, int length) {
        OpenClStorage s = new OpenClStorage(this, mem, dtype, length);
        s.track(ledger.track(s, (long) length * dtype.byteSize(), () -> CL.clReleaseMemObject(mem)));
        return s;
    }

    private cl_mem create(long bytes, long flags, Pointer host) {
        int[] err = new int[1];
        cl_mem mem = CL.clCreateBuffer(kernels.context(), flags, Math.max(bytes, Sizeof.cl_int), host, err);
        ClCheck.check(err[0], device + ": clCreateBuffer(" + bytes + " bytes)");
        return mem;
    }

    /** Allocates without clearing (for results that are written whole). */
    OpenClStorage allocateUninitialised(DType dtype, int length) {
        return wrap(create((long) length * dtype.byteSize(), CL.CL_MEM_READ_WRITE, null), dtype, length);
    }

    @Override
    public Storage allocate(DType dtype, int length) {
        OpenClStorage s = allocateUninitialised(dtype, length);
        if (length > 0) {
            int status = CL.clEnqueueFillBuffer(kernels.queue(), s.mem(), Pointer.to(new int[] {0}), Sizeof.cl_int, 0,
                    (long) length * dtype.byteSize(), 0, null, null);
            ClCheck.check(status, device + ": clEnqueueFillBuffer");
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
    public float[] readFloats(View src) {
        float[] out = new float[src.numel()];
        read(src, DType.FLOAT32, Pointer.to(out), out.length);
        return out;
    }

    @Override
    public int[] readInts(View src) {
        int[] out = new int[src.numel()];
        read(src, DType.INT32, Pointer.to(out), out.length);
        return out;
    }

    /** Reads {@code src} in row-major order as {@code dtype} into {@code host}, then reports device errors. */
    private void read(View src, DType dtype, Pointer host, int n) {
        if (n > 0) {
            OpenClStorage s = storage(src.storage());
            if (s.dtype() == dtype && src.isContiguous()) {
                readBuffer(s.mem(), (long) src.offset() * 4, (long) n * 4, host);
            } else {
                cl_mem temp = create((long) n * 4, CL.CL_MEM_READ_WRITE, null);
                try {
                    int[] shape = src.shape();
                    kernels.launchStrided(EW, "copy", shape, new int[][] {src.strides(), Shape.contiguousStrides(shape)},
                            new int[] {src.offset(), 0}, s, isInt(s), temp, dtype == DType.INT32 ? 1 : 0);
                    readBuffer(temp, 0, (long) n * 4, host);
                } finally {
                    CL.clReleaseMemObject(temp);
                }
            }
        }
        checkErrors();
    }

    private void readBuffer(cl_mem mem, long offsetBytes, long bytes, Pointer host) {
        int status = CL.clEnqueueReadBuffer(kernels.queue(), mem, CL.CL_TRUE, offsetBytes, bytes, host, 0, null, null);
        ClCheck.check(status, device + ": clEnqueueReadBuffer");
    }

    /** Waits for the queue; throws the first index error a kernel recorded since the last check (and clears it). */
    private void checkErrors() {
        synchronized (errorLock) {
            int[] e = new int[5];
            readBuffer(errors, 0, 5L * Sizeof.cl_int, Pointer.to(e));
            if (e[0] == 0) {
                return;
            }
            int status = CL.clEnqueueWriteBuffer(kernels.queue(), errors, CL.CL_TRUE, 0, 5L * Sizeof.cl_int,
                    Pointer.to(new int[5]), 0, null, null);
            ClCheck.check(status, device + ": clEnqueueWriteBuffer(error flag)");
            String op = e[1] == 1 ? "gather" : "scatterAdd";
            throw new IllegalArgumentException(op + ": index " + e[2] + " is out of range for dimension " + e[4]
                    + " of size " + e[3] + " (found on " + device + " by a kernel queued earlier: OpenCL reports kernel"
                    + " errors at the next read or synchronize)");
        }
    }

    /**
     * Blocks until every kernel queued on this device has run, then throws the first index error a
     * gather or scatter-add kernel recorded since the last check (an {@link IllegalArgumentException}).
     */
    @Override
    public void synchronize() {
        ClCheck.check(CL.clFinish(kernels.queue()), device + ": clFinish");
        checkErrors();
    }

    @Override
    public boolean owns(Storage storage) {
        return storage instanceof OpenClStorage s && s.owner() == this;
    }

    /** Returns the live buffers of this device and their bytes; nothing is cached (buffers are freed at once). */
    @Override
    public MemoryStats memoryStats() {
        return ledger.stats(0);
    }

    /**
     * Copies {@code src} into a new contiguous storage of {@code target}: on the device when {@code
     * target} is an OpenCL device in this device's context (the copy kernel runs on this device's
     * queue, which is then drained so that the target's queue sees the data), through the host
     * otherwise.
     */
    @Override
    public Storage copyTo(View src, Backend target) {
        if (!(target instanceof OpenClBackend t) || t.kernels.context() != kernels.context()) {
            return Backend.super.copyTo(src, target);
        }
        OpenClStorage from = storage(src.storage());
        int n = src.numel();
        OpenClStorage out = t.allocateUninitialised(from.dtype(), n);
        int[] shape = src.shape();
        kernels.launchStrided(EW, "copy", shape, new int[][] {src.strides(), Shape.contiguousStrides(shape)},
                new int[] {src.offset(), 0}, from, isInt(from), out, isInt(out));
        if (t != this) {
            synchronize();
        }
        return out;
    }

    private OpenClStorage storage(Storage s) {
        if (s instanceof OpenClStorage o) {
            return o;
        }
        throw new IllegalArgumentException("opencl backend (" + device + "): storage " + s.getClass().getName()
                + " belongs to another device; move the tensor with to(" + device + ")");
    }

    private static int isInt(Storage s) {
        return s.dtype() == DType.INT32 ? 1 : 0;
    }

    // ---------------------------------------------------------------- elementwise

    @Override
    public void fill(View out, float value) {
        kernels.launchStrided(EW, "fill", out.shape(), KernelLayout.strides(out), KernelLayout.offsets(out),
                storage(out.storage()), isInt(out.storage()), value, (int) value);
    }

    @Override
    public void copy(View src, View out) {
        kernels.launchStrided(EW, "copy", out.shape(), KernelLayout.strides(src, out), KernelLayout.offsets(src, out),
                storage(src.storage()), isInt(src.storage()), storage(out.storage()), isInt(out.storage()));
    }

    @Override
    public void unary(UnaryOp op, float param, View x, View out) {
        kernels.launchStrided(EW, "unary", out.shape(), KernelLayout.strides(x, out), KernelLayout.offsets(x, out),
                op.ordinal(), param, storage(x.storage()), storage(out.storage()));
    }

    @Override
    public void binary(BinaryOp op, View a, View b, View out) {
        int[][] strides = KernelLayout.strides(a, b, out);
        int[] offsets = KernelLayout.offsets(a, b, out);
        if (out.storage().dtype() == DType.INT32) {
            kernels.launchStrided(EW, "binary_int", out.shape(), strides, offsets, op.ordinal(),
                    storage(a.storage()), storage(b.storage()), storage(out.storage()));
        } else {
            kernels.launchStrided(EW, "binary", out.shape(), strides, offsets, op.ordinal(),
                    storage(a.storage()), isInt(a.storage()), storage(b.storage()), isInt(b.storage()),
                    storage(out.storage()));
        }
    }

    @Override
    public void where(View cond, View a, View b, View out) {
        kernels.launchStrided(EW, "where_select", out.shape(), KernelLayout.strides(cond, a, b, out),
                KernelLayout.offsets(cond, a, b, out), storage(cond.storage()), isInt(cond.storage()),
                storage(a.storage()), storage(b.storage()), storage(out.storage()));
    }

    // ---------------------------------------------------------------- reductions

    @Override
    public void reduce(ReduceOp op, Storage x, int xOffset, int outer, int n, int inner, Storage out, int outOffset) {
        long lines = (long) outer * inner;
        if (lines == 0) {
            return;
        }
        if (x.dtype() == DType.INT32) {
            kernels.launch1d(RED, "reduce_int", lines, ClKernels.GROUP, op.ordinal(), outer, n, inner,
                    storage(x), xOffset, storage(out), outOffset);
        } else if (n >= TREE_MIN_LINE) {
            kernels.launch(RED, "reduce_tree", new long[] {lines * ClKernels.GROUP}, new long[] {ClKernels.GROUP},
                    op.ordinal(), outer, n, inner, storage(x), xOffset, storage(out), outOffset);
        } else {
            kernels.launch1d(RED, "reduce_serial", lines, ClKernels.GROUP, op.ordinal(), outer, n, inner,
                    storage(x), xOffset, storage(out), outOffset);
        }
    }

    @Override
    public void softmax(Storage x, int xOffset, int outer, int n, int inner, Storage out, int outOffset, boolean log) {
        softmax(x, xOffset, outer, n, inner, 1f, out, outOffset, log);
    }

    /** As {@link #softmax(Storage, int, int, int, int, Storage, int, boolean)} of {@code scale * x}; {@code out} may be {@code x}. */
    void softmax(Storage x, int xOffset, int outer, int n, int inner, float scale, Storage out, int outOffset, boolean log) {
        long lines = (long) outer * inner;
        if (lines == 0 || n == 0) {
            return;
        }
        if (n >= TREE_MIN_LINE) {
            kernels.launch(RED, "softmax_tree", new long[] {lines * ClKernels.GROUP}, new long[] {ClKernels.GROUP},
                    outer, n, inner, scale, storage(x), xOffset, storage(out), outOffset, log ? 1 : 0);
        } else {
            kernels.launch1d(RED, "softmax_serial", lines, ClKernels.GROUP, outer, n, inner, scale,
                    storage(x), xOffset, storage(out), outOffset, log ? 1 : 0);
        }
    }

    // ---------------------------------------------------------------- matrix multiply

    @Override
    public void matmul(View a, View b, View c, boolean accumulate) {
        int batch = c.shape()[0];
        int m = c.shape()[1];
        int n = c.shape()[2];
        int k = a.shape()[2];
        if (batch == 0 || m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            if (!accumulate) {
                fill(c, 0f); // an empty sum
            }
            return;
        }
        storage(a.storage());
        storage(b.storage());
        storage(c.storage());
        gemm.multiply(a, b, c, accumulate);
    }

    // ---------------------------------------------------------------- indexing

    @Override
    public void gather(View x, int axis, View index, View out) {
        int[] xStrides = x.strides().clone();
        xStrides[axis] = 0;
        kernels.launchStrided(IDX, "gather", out.shape(), new int[][] {xStrides, index.strides(), out.strides()},
                KernelLayout.offsets(x, index, out), storage(x.storage()), x.strides()[axis], x.shape()[axis], axis,
                isInt(x.storage()), storage(index.storage()), storage(out.storage()), errors);
    }

    @Override
    public void scatterAdd(View src, int axis, View index, View out) {
        int m = src.shape()[axis];
        if (m == 0) {
            return;
        }
        int[] lineShape = without(src.shape(), axis);
        int[][] strides = {without(src.strides(), axis), without(index.strides(), axis), without(out.strides(), axis)};
        kernels.launchStrided(IDX, "scatter_add", lineShape, strides, KernelLayout.offsets(src, index, out), m,
                storage(src.storage()), src.strides()[axis], storage(index.storage()), index.strides()[axis],
                storage(out.storage()), out.strides()[axis], out.shape()[axis], axis, errors);
    }

    private static int[] without(int[] a, int axis) {
        int[] r = new int[a.length - 1];
        System.arraycopy(a, 0, r, 0, axis);
        System.arraycopy(a, axis + 1, r, axis, a.length - axis - 1);
        return r;
    }

    @Override
    public String toString() {
        return "OpenClBackend[" + device + ", " + ref.name() + "]";
    }

    // ---- fused kernels (ClAttention, ClConv, ClPool, ClOptim, ClRandom): see Backend for what each computes

    @Override
    public void softmaxBackward(Storage y, int yOffset, Storage g, int gOffset, int outer, int n, int inner, Storage gx,
                                int gxOffset, boolean log) {
        ClAttention.softmaxBackward(this, y, yOffset, g, gOffset, outer, n, inner, gx, gxOffset, log);
    }

    @Override
    public void attention(View q, View k, View v, float scale, View probs, View out) {
        ClAttention.forward(this, q, k, v, scale, probs, out);
    }

    @Override
    public void attentionBackward(View q, View k, View v, float scale, View probs, View gradOut, View gq, View gk,
                                  View gv) {
        ClAttention.backward(this, q, k, v, scale, probs, gradOut, gq, gk, gv);
    }

    @Override
    public void im2col(View x, Conv2dSpec spec, View cols) {
        ClConv.im2col(this, x, spec, cols);
    }

    @Override
    public void col2im(View cols, Conv2dSpec spec, View x) {
        ClConv.col2im(this, cols, spec, x);
    }

    @Override
    public void conv2d(View x, View weight, View bias, Conv2dSpec spec, View out) {
        ClConv.conv2d(this, x, weight, bias, spec, out);
    }

    @Override
    public void conv2dBackwardInput(View gradOut, View weight, Conv2dSpec spec, View gradIn) {
        ClConv.backwardInput(this, gradOut, weight, spec, gradIn);
    }

    @Override
    public void conv2dBackwardWeight(View x, View gradOut, Conv2dSpec spec, View gradWeight) {
        ClConv.backwardWeight(this, x, gradOut, spec, gradWeight);
    }

    @Override
    public void maxPool2d(View x, Pool2dSpec spec, View out, View indices) {
        ClPool.maxPool2d(this, x, spec, out, indices);
    }

    @Override
    public void maxPool2dBackward(View gradOut, View indices, Pool2dSpec spec, View gradIn) {
        ClPool.maxPool2dBackward(this, gradOut, indices, spec, gradIn);
    }

    @Override
    public void avgPool2d(View x, Pool2dSpec spec, View out) {
        ClPool.avgPool2d(this, x, spec, out);
    }

    @Override
    public void avgPool2dBackward(View gradOut, Pool2dSpec spec, View gradIn) {
        ClPool.avgPool2dBackward(this, gradOut, spec, gradIn);
    }

    @Override
    public void axpy(View x, float alpha, View y) {
        ClOptim.axpy(this, x, alpha, y);
    }

    @Override
    public void adamUpdate(View param, View grad, View expAvg, View expAvgSq, AdamSpec spec) {
        ClOptim.adam(this, param, grad, expAvg, expAvgSq, spec);
    }

    @Override
    public void fillUniform(View out, long state, float low, float high) {
        ClRandom.fillUniform(this, out, state, low, high);
    }

    @Override
    public void fillDropoutMask(View out, long state, float p, float keep) {
        ClRandom.fillDropoutMask(this, out, state, p, keep);
    }
}
