package dev.tessera.spi;

import dev.tessera.DType;
import dev.tessera.Device;
import dev.tessera.MemoryStats;
import java.util.function.ObjIntConsumer;

/**
 * The device-independent part of a backend that runs the shared kernels of core's {@code
 * dev/tessera/kernels/*.c} (the OpenCL and CUDA backends). For backend authors: it implements
 * every primitive and fused op of {@link Backend} as launches on {@link #kernels()} — which kernel,
 * which geometry, which {@link KernelLayout} for strided views, and how convolution ({@link
 * KernelConv}), attention ({@link KernelAttention}), pooling, optimizer updates and random fills
 * decompose into launches and matrix products — and checks that storages belong to this device.
 *
 * <p>A subclass supplies only what its API does differently: its storage type ({@link
 * KernelStorage}), allocation ({@link #allocateUninitialised}, {@link #allocate}), uploads, reads
 * of contiguous buffers ({@link #readBuffer(KernelStorage, int, float[])}), its kernel launcher,
 * its {@link KernelGemm}, waiting for its queue ({@link #awaitQueue()}), and the error record the
 * index kernels write ({@link #errorRecord()}).
 *
 * <p>Kernels run asynchronously: a primitive returns once its kernel is queued; {@link
 * #readFloats}, {@link #readInts} and {@link #synchronize} wait for the device.
 *
 * <p><b>Errors found on the device.</b> A kernel cannot throw: gather and scatter-add record the
 * first out-of-range index in the error record of this backend ({@link #ERROR_RECORD_INTS} ints:
 * flag, op (1 gather, 2 scatter-add), index, size, axis), and the next {@code readFloats}, {@code
 * readInts} or {@code synchronize} on this device (from any thread) throws the {@link
 * IllegalArgumentException} naming the op, the index and the size, then clears the record — as
 * CUDA reports device-side assertions at the next synchronising call.
 *
 * @param <S> the storage type of the backend
 */
public abstract class KernelBackend<S extends KernelStorage> implements Backend {
    /** The ints of the error record that {@link #readErrorRecord} reads and {@link #clearErrorRecord} zeroes. */
    protected static final int ERROR_RECORD_INTS = 5;

    private final Device device;
    private final String api;
    private final Class<S> storageType;
    private final MemoryLedger ledger = new MemoryLedger();
    private final Object errorLock = new Object();
    private volatile long convBudget = KernelConv.BUDGET;

    /**
     * A backend of {@code device} whose storages are of {@code storageType}; {@code api} (e.g.
     * {@code "OpenCL"}) names the API in messages.
     */
    protected KernelBackend(Device device, String api, Class<S> storageType) {
        this.device = device;
        this.api = api;
        this.storageType = storageType;
    }

    // ---------------------------------------------------------------- what a subclass supplies

    /** Returns the launcher of this device's kernels. */
    public abstract KernelLauncher kernels();

    /** Returns the matrix multiply {@link #matmul} uses. */
    protected abstract KernelGemm gemm();

    /** Allocates {@code length} elements without clearing them (for results that are written whole); tracked by {@link #track}. */
    public abstract S allocateUninitialised(DType dtype, int length);

    /** Copies {@code into.length} elements of {@code from}, starting at element {@code offset}, to the host; waits for the queue. */
    protected abstract void readBuffer(S from, int offset, float[] into);

    /** As {@link #readBuffer(KernelStorage, int, float[])} for INT32 storages. */
    protected abstract void readBuffer(S from, int offset, int[] into);

    /** Returns the device buffer of the error record, as passed to the gather and scatter-add kernels. */
    protected abstract Object errorRecord();

    /** Copies the first {@code record.length} ints of the error record to the host (waits for the queue). */
    protected abstract void readErrorRecord(int[] record);

    /** Zeroes the first {@link #ERROR_RECORD_INTS} ints of the error record. */
    protected abstract void clearErrorRecord();

    /** Blocks until every kernel and copy queued on this device has run. */
    protected abstract void awaitQueue();

    /**
     * Returns the backend whose storages {@link #copyTo} fills with a copy kernel on this device,
     * or null to copy through the host. The default takes only this backend; a subclass whose
     * devices share memory (an OpenCL context) may return another.
     */
    protected KernelBackend<S> deviceCopyTarget(Backend target) {
        return target == this ? this : null;
    }

    /** Returns the bytes an allocator caches for reuse, for {@link #memoryStats()}; 0 by default. */
    protected long bytesCached() {
        return 0;
    }

    // ---------------------------------------------------------------- memory

    @Override
    public final Device device() {
        return device;
    }

    /**
     * Counts {@code storage}, just created, in this backend's {@link MemoryLedger} (freed by {@link
     * Storage#release()}, a scope or the cleaner) and returns it; {@code free} frees its device
     * memory and must not reference it.
     */
    protected final S track(S storage, Runnable free) {
        storage.track(ledger.track(storage, (long) storage.length() * storage.dtype().byteSize(), free));
        return storage;
    }

    @Override
    public float[] readFloats(View src) {
        float[] out = new float[src.numel()];
        read(src, DType.FLOAT32, out.length, (s, offset) -> readBuffer(s, offset, out));
        return out;
    }

    @Override
    public int[] readInts(View src) {
        int[] out = new int[src.numel()];
        read(src, DType.INT32, out.length, (s, offset) -> readBuffer(s, offset, out));
        return out;
    }

    /**
     * Reads {@code src} in row-major order as {@code dtype} with {@code reader} (a storage and the
     * offset of {@code n} contiguous elements of {@code dtype}), through a temporary filled by the
     * copy kernel when {@code src} is strided or of the other dtype; then reports device errors.
     */
    private void read(View src, DType dtype, int n, ObjIntConsumer<S> reader) {
        if (n > 0) {
            S s = storage(src.storage());
            if (s.dtype() == dtype && src.isContiguous()) {
                reader.accept(s, src.offset());
            } else {
                S temp = allocateUninitialised(dtype, n);
                try {
                    KernelElementwise.copyContiguous(this, src, s, temp);
                    reader.accept(temp, 0);
                } finally {
                    temp.release();
                }
            }
        }
        checkErrors();
    }

    /** Throws the first index error a kernel recorded since the last check (and clears it); reading it waits for the queue. */
    private void checkErrors() {
        synchronized (errorLock) {
            int[] e = new int[ERROR_RECORD_INTS];
            readErrorRecord(e);
            if (e[0] == 0) {
                return;
            }
            clearErrorRecord();
            String op = e[1] == 1 ? "gather" : "scatterAdd";
            throw new IllegalArgumentException(op + ": index " + e[2] + " is out of range for dimension " + e[4]
                    + " of size " + e[3] + " (found on " + device + " by a kernel queued earlier: " + api + " reports kernel"
                    + " errors at the next read or synchronize)");
        }
    }

    /**
     * Blocks until every kernel queued on this device has run, then throws the first index error a
     * gather or scatter-add kernel recorded since the last check (an {@link IllegalArgumentException}).
     */
    @Override
    public void synchronize() {
        awaitQueue();
        checkErrors();
    }

    @Override
    public boolean owns(Storage storage) {
        return storage instanceof KernelStorage s && s.owner() == this;
    }

    /** Returns the live buffers of this device and their bytes, and the bytes cached for reuse ({@link #bytesCached()}). */
    @Override
    public MemoryStats memoryStats() {
        return ledger.stats(bytesCached());
    }

    /**
     * Copies {@code src} into a new contiguous storage of {@code target}: with the copy kernel on
     * this device when {@link #deviceCopyTarget} accepts {@code target} (waiting for this device's
     * queue when the target is another device, so that its queue sees the data), through the host
     * otherwise.
     */
    @Override
    public Storage copyTo(View src, Backend target) {
        KernelBackend<S> t = deviceCopyTarget(target);
        if (t == null) {
            return Backend.super.copyTo(src, target);
        }
        S from = storage(src.storage());
        int n = src.numel();
        S out = t.allocateUninitialised(from.dtype(), n);
        KernelElementwise.copyContiguous(this, src, from, out);
        if (t != this) {
            synchronize();
        }
        return out;
    }

    /**
     * Returns {@code s} as this backend's storage type.
     *
     * @throws IllegalArgumentException naming the device when {@code s} is another backend's
     */
    protected final S storage(Storage s) {
        if (storageType.isInstance(s)) {
            return storageType.cast(s);
        }
        throw new IllegalArgumentException(device.type().label() + " backend (" + device + "): storage "
                + s.getClass().getName() + " belongs to another device; move the tensor with to(" + device + ")");
    }

    /**
     * Returns {@code s} if this backend created it (for the fused kernels).
     *
     * @throws IllegalArgumentException naming {@code op} when {@code s} belongs to another device
     */
    final KernelStorage buffer(Storage s, String op) {
        if (s instanceof KernelStorage o && owns(o)) {
            return o;
        }
        throw new IllegalArgumentException(op + ": storage " + s + " is not on " + device + "; move the tensor with to("
                + device + ")");
    }

    /** Returns the storage behind {@code v}; see {@link #buffer(Storage, String)}. */
    final KernelStorage buffer(View v, String op) {
        return buffer(v.storage(), op);
    }

    /** A new FLOAT32 storage of {@code length} elements whose contents the caller writes before reading. */
    final S scratch(long length, String op) {
        if (length > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(op + ": a temporary of " + length + " floats is too large");
        }
        return allocateUninitialised(DType.FLOAT32, (int) length);
    }

    /** Returns the name of the matrix multiply in use (e.g. {@code "CLBlast"} or {@code "own tiled kernel"}). */
    public String gemmName() {
        return gemm().name();
    }

    /** Returns the most floats the temporaries of one chunk of a convolution's batch hold ({@link KernelConv}). */
    public long convBudget() {
        return convBudget;
    }

    /**
     * Sets the most floats the temporaries of one chunk of a convolution's batch hold (by default
     * 16 Mi floats, 64 MiB); at least one image is processed at once whatever the budget. Lower
     * budgets bound the memory of large batches at the cost of more launches.
     *
     * @throws IllegalArgumentException if {@code floats} is below 1
     */
    public void convBudget(long floats) {
        if (floats < 1) {
            throw new IllegalArgumentException("convBudget: " + floats + " floats; expected at least 1");
        }
        this.convBudget = floats;
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
        gemm().multiply(a, b, c, accumulate);
    }

    // ---- the primitives and fused kernels, planned in KernelElementwise, KernelReductions, KernelIndexing,
    // KernelAttention, KernelConv, KernelPool, KernelOptim and KernelRandom: see Backend for what each computes

    @Override
    public void fill(View out, float value) {
        KernelElementwise.fill(this, out, value);
    }

    @Override
    public void copy(View src, View out) {
        KernelElementwise.copy(this, src, out);
    }

    @Override
    public void unary(UnaryOp op, float param, View x, View out) {
        KernelElementwise.unary(this, op, param, x, out);
    }

    @Override
    public void binary(BinaryOp op, View a, View b, View out) {
        KernelElementwise.binary(this, op, a, b, out);
    }

    @Override
    public void where(View cond, View a, View b, View out) {
        KernelElementwise.where(this, cond, a, b, out);
    }

    @Override
    public void reduce(ReduceOp op, Storage x, int xOffset, int outer, int n, int inner, Storage out, int outOffset) {
        KernelReductions.reduce(this, op, x, xOffset, outer, n, inner, out, outOffset);
    }

    @Override
    public void softmax(Storage x, int xOffset, int outer, int n, int inner, Storage out, int outOffset, boolean log) {
        KernelReductions.softmax(this, x, xOffset, outer, n, inner, 1f, out, outOffset, log);
    }

    @Override
    public void gather(View x, int axis, View index, View out) {
        KernelIndexing.gather(this, x, axis, index, out);
    }

    @Override
    public void scatterAdd(View src, int axis, View index, View out) {
        KernelIndexing.scatterAdd(this, src, axis, index, out);
    }


    @Override
    public void softmaxBackward(Storage y, int yOffset, Storage g, int gOffset, int outer, int n, int inner, Storage gx,
                                int gxOffset, boolean log) {
        KernelAttention.softmaxBackward(this, y, yOffset, g, gOffset, outer, n, inner, gx, gxOffset, log);
    }

    @Override
    public void attention(View q, View k, View v, float scale, View bias, AttentionDropout dropout, View probs,
                          View out) {
        KernelAttention.forward(this, q, k, v, scale, bias, dropout, probs, out);
    }

    @Override
    public void attentionBackward(View q, View k, View v, float scale, AttentionDropout dropout, View probs,
                                  View gradOut, View gq, View gk, View gv) {
        KernelAttention.backward(this, q, k, v, scale, dropout, probs, gradOut, gq, gk, gv);
    }

    @Override
    public void im2col(View x, Conv2dSpec spec, View cols) {
        KernelConv.im2col(this, x, spec, cols);
    }

    @Override
    public void col2im(View cols, Conv2dSpec spec, View x) {
        KernelConv.col2im(this, cols, spec, x);
    }

    @Override
    public void conv2d(View x, View weight, View bias, Conv2dSpec spec, View out) {
        KernelConv.conv2d(this, x, weight, bias, spec, out);
    }

    @Override
    public void conv2dBackwardInput(View gradOut, View weight, Conv2dSpec spec, View gradIn) {
        KernelConv.backwardInput(this, gradOut, weight, spec, gradIn);
    }

    @Override
    public void conv2dBackwardWeight(View x, View gradOut, Conv2dSpec spec, View gradWeight) {
        KernelConv.backwardWeight(this, x, gradOut, spec, gradWeight);
    }

    @Override
    public void maxPool2d(View x, Pool2dSpec spec, View out, View indices) {
        KernelPool.maxPool2d(this, x, spec, out, indices);
    }

    @Override
    public void maxPool2dBackward(View gradOut, View indices, Pool2dSpec spec, View gradIn) {
        KernelPool.maxPool2dBackward(this, gradOut, indices, spec, gradIn);
    }

    @Override
    public void avgPool2d(View x, Pool2dSpec spec, View out) {
        KernelPool.avgPool2d(this, x, spec, out);
    }

    @Override
    public void avgPool2dBackward(View gradOut, Pool2dSpec spec, View gradIn) {
        KernelPool.avgPool2dBackward(this, gradOut, spec, gradIn);
    }

    @Override
    public void axpy(View x, float alpha, View y) {
        KernelOptim.axpy(this, x, alpha, y);
    }

    @Override
    public void adamUpdate(View param, View grad, View expAvg, View expAvgSq, AdamSpec spec) {
        KernelOptim.adam(this, param, grad, expAvg, expAvgSq, spec);
    }

    @Override
    public void sgdUpdate(View param, View grad, View buffer, SgdSpec spec) {
        KernelOptim.sgd(this, param, grad, buffer, spec);
    }

    @Override
    public void layerNorm(View x, View weight, View bias, float eps, View out, View mean, View rstd) {
        KernelNorm.layerNorm(this, x, weight, bias, eps, out, mean, rstd);
    }

    @Override
    public void layerNormBackward(View x, View weight, View mean, View rstd, View gradOut, View gradX,
                                  View gradWeight, View gradBias) {
        KernelNorm.layerNormBackward(this, x, weight, mean, rstd, gradOut, gradX, gradWeight, gradBias);
    }

    @Override
    public void fillUniform(View out, long state, float low, float high) {
        KernelRandom.fillUniform(this, out, state, low, high);
    }

    @Override
    public void fillDropoutMask(View out, long state, float p, float keep) {
        KernelRandom.fillDropoutMask(this, out, state, p, keep);
    }

    @Override
    public void dropout(View x, long state, float p, float keep, View out) {
        KernelRandom.dropout(this, x, state, p, keep, out);
    }
}
