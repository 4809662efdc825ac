package dev.tessera.cuda;

import dev.tessera.spi.KernelLayout;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuMemsetD32Async;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

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
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CUDA backend of one GPU: storages are blocks of a {@link CachingAllocator} ({@link
 * CudaStorage}), every primitive is a kernel from core's {@code dev/tessera/kernels/*.c}, shipped
 * as PTX and launched through {@link CudaKernels}, and matrix products go to cuBLAS or the
 * backend's own tiled kernel ({@link CudaGemm}).
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
 * <p><b>Errors found on the device.</b> A kernel cannot throw: gather and scatter-add record the
 * first out-of-range index in an error buffer of this backend, and the next {@code readFloats},
 * {@code readInts} or {@code synchronize} on this device (from any thread) throws the {@link
 * IllegalArgumentException} naming the op, the index and the size, then clears the record.
 *
 * <p>Thread-safe.
 */
public final class CudaBackend implements Backend {
    private static final Logger LOG = LoggerFactory.getLogger(CudaBackend.class);
    /** Lines at least this long get a block each in reductions and softmaxes, shorter ones a thread each. */
    static final int TREE_MIN_LINE = 128;
    private static final String EW = "elementwise.c";
    private static final String RED = "reduce.c";
    private static final String IDX = "index.c";

    private final Device device;
    private final CudaDeviceRef ref;
    private final CudaContext context;
    private final CudaKernels kernels;
    private final CachingAllocator<CUdeviceptr> allocator;
    private final CUdeviceptr errors;
    private final Object errorLock = new Object();
    private final CudaGemm gemm;
    private final MemoryLedger ledger = new MemoryLedger();

    /**
     * Opens GPU {@code ref} in {@code context} (its primary context and stream, created by the
     * probe); {@code gemmChoice} is {@code "own"}, {@code "cublas"} or {@code "auto"} (cuBLAS when
     * it loads, else the own kernel).
     */
    CudaBackend(CudaDeviceRef ref, CudaContext context, String gemmChoice) {
        this.ref = ref;
        this.device = Device.cuda(ref.index());
        this.context = context;
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

    private CudaGemm chooseGemm(String choice) {
        CudaGemm own = new OwnCudaGemm(kernels);
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
    public CudaKernels kernels() {
        return kernels;
    }

    /** Returns the name of the GEMM in use (e.g. {@code "cuBLAS 12.6.4"} or {@code "own tiled kernel"}). */
    public String gemmName() {
        return gemm.name();
    }

    /** Returns a GEMM of the given choice on this device, for tests that compare the two. */
    CudaGemm gemm(String choice) {
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
    public Device device() {
        return device;
    }

    @Override
    public String describe() {
        return device + ": " + ref.name() + " (" + ref.detail() + "), matrix multiply via " + gemm.name();
    }

    // ---------------------------------------------------------------- memory

    /** Allocates without clearing (for results that are written whole). */
    CudaStorage allocateUninitialised(DType dtype, int length) {
        long bytes = (long) length * dtype.byteSize();
        CachingAllocator.Block<CUdeviceptr> block = allocator.allocate(Math.max(bytes, Integer.BYTES));
        CudaStorage s = new CudaStorage(this, block.pointer(), dtype, length);
        CachingAllocator<CUdeviceptr> a = allocator;
        s.track(ledger.track(s, bytes, () -> a.release(block)));
        return s;
    }

    @Override
    public Storage allocate(DType dtype, int length) {
        CudaStorage s = allocateUninitialised(dtype, length);
        if (length > 0) {
            context.makeCurrent();
            CudaCheck.check(cuMemsetD32Async(s.pointer(), 0, length, context.stream()), device + ": cuMemsetD32Async");
        }
        return s;
    }

    @Override
    public Storage upload(float[] data) {
        CudaStorage s = allocateUninitialised(DType.FLOAT32, data.length);
        if (data.length > 0) {
            context.makeCurrent();
            CudaCheck.check(cuMemcpyHtoD(s.pointer(), Pointer.to(data), 4L * data.length), device + ": cuMemcpyHtoD");
        }
        return s;
    }

    @Override
    public Storage upload(int[] data) {
        CudaStorage s = allocateUninitialised(DType.INT32, data.length);
        if (data.length > 0) {
            context.makeCurrent();
            CudaCheck.check(cuMemcpyHtoD(s.pointer(), Pointer.to(data), 4L * data.length), device + ": cuMemcpyHtoD");
        }
        return s;
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
            CudaStorage s = storage(src.storage());
            if (s.dtype() == dtype && src.isContiguous()) {
                readBuffer(s.pointer().withByteOffset(4L * src.offset()), 4L * n, host);
            } else {
                CudaStorage temp = allocateUninitialised(dtype, n);
                try {
                    int[] shape = src.shape();
                    kernels.launchStrided(EW, "copy", shape, new int[][] {src.strides(), Shape.contiguousStrides(shape)},
                            new int[] {src.offset(), 0}, s, isInt(s), temp, isInt(temp));
                    readBuffer(temp.pointer(), 4L * n, host);
                } finally {
                    temp.release();
                }
            }
        }
        checkErrors();
    }

    /** A synchronous copy to the host: the driver runs it after the work queued on the device's stream. */
    private void readBuffer(CUdeviceptr from, long bytes, Pointer host) {
        context.makeCurrent();
        CudaCheck.check(cuMemcpyDtoH(host, from, bytes), device + ": cuMemcpyDtoH");
    }

    /** Throws the first index error a kernel recorded since the last check (and clears it); the stream has drained. */
    private void checkErrors() {
        synchronized (errorLock) {
            int[] e = new int[5];
            readBuffer(errors, 5L * Integer.BYTES, Pointer.to(e));
            if (e[0] == 0) {
                return;
            }
            CudaCheck.check(cuMemcpyHtoD(errors, Pointer.to(new int[5]), 5L * Integer.BYTES), device
                    + ": cuMemcpyHtoD(error flag)");
            String op = e[1] == 1 ? "gather" : "scatterAdd";
            throw new IllegalArgumentException(op + ": index " + e[2] + " is out of range for dimension " + e[4]
                    + " of size " + e[3] + " (found on " + device + " by a kernel queued earlier: CUDA reports kernel"
                    + " errors at the next read or synchronize)");
        }
    }

    /**
     * Blocks until every kernel queued on this device has run, then throws the first index error a
     * gather or scatter-add kernel recorded since the last check (an {@link IllegalArgumentException}).
     */
    @Override
    public void synchronize() {
        context.makeCurrent();
        CudaCheck.check(cuStreamSynchronize(context.stream()), device + ": cuStreamSynchronize");
        checkErrors();
    }

    @Override
    public boolean owns(Storage storage) {
        return storage instanceof CudaStorage s && s.owner() == this;
    }

    /** Returns the live buffers of this device and their bytes, and the bytes the allocator caches for reuse. */
    @Override
    public MemoryStats memoryStats() {
        return ledger.stats(allocator.bytesCached());
    }

    /**
     * Copies {@code src} into a new contiguous storage of {@code target}: on the device (the copy
     * kernel) when {@code target} is this backend, through the host otherwise.
     */
    @Override
    public Storage copyTo(View src, Backend target) {
        if (target != this) {
            return Backend.super.copyTo(src, target);
        }
        CudaStorage from = storage(src.storage());
        int n = src.numel();
        CudaStorage out = allocateUninitialised(from.dtype(), n);
        int[] shape = src.shape();
        kernels.launchStrided(EW, "copy", shape, new int[][] {src.strides(), Shape.contiguousStrides(shape)},
                new int[] {src.offset(), 0}, from, isInt(from), out, isInt(out));
        return out;
    }

    private CudaStorage storage(Storage s) {
        if (s instanceof CudaStorage o) {
            return o;
        }
        throw new IllegalArgumentException("cuda backend (" + device + "): storage " + s.getClass().getName()
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
            kernels.launch1d(RED, "reduce_int", lines, CudaKernels.GROUP, op.ordinal(), outer, n, inner,
                    storage(x), xOffset, storage(out), outOffset);
        } else if (n >= TREE_MIN_LINE) {
            kernels.launch(RED, "reduce_tree", new long[] {lines * CudaKernels.GROUP}, new long[] {CudaKernels.GROUP},
                    op.ordinal(), outer, n, inner, storage(x), xOffset, storage(out), outOffset);
        } else {
            kernels.launch1d(RED, "reduce_serial", lines, CudaKernels.GROUP, op.ordinal(), outer, n, inner,
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
            kernels.launch(RED, "softmax_tree", new long[] {lines * CudaKernels.GROUP}, new long[] {CudaKernels.GROUP},
                    outer, n, inner, scale, storage(x), xOffset, storage(out), outOffset, log ? 1 : 0);
        } else {
            kernels.launch1d(RED, "softmax_serial", lines, CudaKernels.GROUP, outer, n, inner, scale,
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
        return "CudaBackend[" + device + ", " + ref.name() + "]";
    }

    // ---- fused kernels (CudaAttention, CudaConv, CudaPool, CudaOptim, CudaRandom): see Backend for what each computes

    @Override
    public void softmaxBackward(Storage y, int yOffset, Storage g, int gOffset, int outer, int n, int inner, Storage gx,
                                int gxOffset, boolean log) {
        CudaAttention.softmaxBackward(this, y, yOffset, g, gOffset, outer, n, inner, gx, gxOffset, log);
    }

    @Override
    public void attention(View q, View k, View v, float scale, View probs, View out) {
        CudaAttention.forward(this, q, k, v, scale, probs, out);
    }

    @Override
    public void attentionBackward(View q, View k, View v, float scale, View probs, View gradOut, View gq, View gk,
                                  View gv) {
        CudaAttention.backward(this, q, k, v, scale, probs, gradOut, gq, gk, gv);
    }

    @Override
    public void im2col(View x, Conv2dSpec spec, View cols) {
        CudaConv.im2col(this, x, spec, cols);
    }

    @Override
    public void col2im(View cols, Conv2dSpec spec, View x) {
        CudaConv.col2im(this, cols, spec, x);
    }

    @Override
    public void conv2d(View x, View weight, View bias, Conv2dSpec spec, View out) {
        CudaConv.conv2d(this, x, weight, bias, spec, out);
    }

    @Override
    public void conv2dBackwardInput(View gradOut, View weight, Conv2dSpec spec, View gradIn) {
        CudaConv.backwardInput(this, gradOut, weight, spec, gradIn);
    }

    @Override
    public void conv2dBackwardWeight(View x, View gradOut, Conv2dSpec spec, View gradWeight) {
        CudaConv.backwardWeight(this, x, gradOut, spec, gradWeight);
    }

    @Override
    public void maxPool2d(View x, Pool2dSpec spec, View out, View indices) {
        CudaPool.maxPool2d(this, x, spec, out, indices);
    }

    @Override
    public void maxPool2dBackward(View gradOut, View indices, Pool2dSpec spec, View gradIn) {
        CudaPool.maxPool2dBackward(this, gradOut, indices, spec, gradIn);
    }

    @Override
    public void avgPool2d(View x, Pool2dSpec spec, View out) {
        CudaPool.avgPool2d(this, x, spec, out);
    }

    @Override
    public void avgPool2dBackward(View gradOut, Pool2dSpec spec, View gradIn) {
        CudaPool.avgPool2dBackward(this, gradOut, spec, gradIn);
    }

    @Override
    public void axpy(View x, float alpha, View y) {
        CudaOptim.axpy(this, x, alpha, y);
    }

    @Override
    public void adamUpdate(View param, View grad, View expAvg, View expAvgSq, AdamSpec spec) {
        CudaOptim.adam(this, param, grad, expAvg, expAvgSq, spec);
    }

    @Override
    public void fillUniform(View out, long state, float low, float high) {
        CudaRandom.fillUniform(this, out, state, low, high);
    }

    @Override
    public void fillDropoutMask(View out, long state, float p, float keep) {
        CudaRandom.fillDropoutMask(this, out, state, p, keep);
    }
}
