package dev.tessera.spi;

import dev.tessera.DType;
import dev.tessera.Device;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link KernelBackend} over host arrays whose kernels only are recorded ({@link
 * RecordingLauncher}) and whose matrix products are recorded too: what a GPU backend supplies is
 * faked, so that the shared planning runs without a device. Reads copy from the arrays; nothing a
 * kernel "writes" reaches them.
 */
final class FakeKernelBackend extends KernelBackend<FakeKernelBackend.Buffer> {
    /** A storage of this backend: a host array (ints stored as floats). */
    static final class Buffer extends KernelStorage {
        private final float[] data;

        Buffer(FakeKernelBackend owner, DType dtype, int length) {
            super(owner, dtype, length);
            this.data = new float[Math.max(1, length)];
        }

        float[] data() {
            checkLive();
            return data;
        }
    }

    /** One recorded matrix product. */
    record Product(View a, View b, View c, boolean accumulate) {
    }

    static final Device DEVICE = Device.opencl(5);

    final RecordingLauncher kernels;
    final List<Product> products = new ArrayList<>();
    final List<Buffer> allocated = new ArrayList<>();
    final int[] errorInts = new int[8];
    final Object errorBuffer = new Object();
    /** Set to let {@link #copyTo} copy into this backend's storages on the device, as into its own. */
    KernelBackend<Buffer> sharesMemoryWith;
    int queueWaits;
    int errorReads;
    int freed;

    FakeKernelBackend(RecordingLauncher kernels, Device device) {
        super(device, "FakeCL", Buffer.class);
        this.kernels = kernels;
    }

    /** A backend of {@link #DEVICE} whose strided launches are recorded as asked. */
    static FakeKernelBackend recordingStrided() {
        return recordingStrided(DEVICE);
    }

    /** A backend of {@code device} whose strided launches are recorded as asked. */
    static FakeKernelBackend recordingStrided(Device device) {
        return new FakeKernelBackend(new RecordingLauncher(true, Integer.MAX_VALUE), device);
    }

    @Override
    public RecordingLauncher kernels() {
        return kernels;
    }

    @Override
    protected KernelGemm gemm() {
        return new KernelGemm() {
            @Override
            public void multiply(View a, View b, View c, boolean accumulate) {
                products.add(new Product(a, b, c, accumulate));
            }

            @Override
            public String name() {
                return "recorded";
            }
        };
    }

    @Override
    public Buffer allocateUninitialised(DType dtype, int length) {
        Buffer b = track(new Buffer(this, dtype, length), () -> freed++);
        allocated.add(b);
        return b;
    }

    @Override
    public Storage allocate(DType dtype, int length) {
        return allocateUninitialised(dtype, length);
    }

    @Override
    public Storage upload(float[] data) {
        Buffer b = allocateUninitialised(DType.FLOAT32, data.length);
        System.arraycopy(data, 0, b.data(), 0, data.length);
        return b;
    }

    @Override
    public Storage upload(int[] data) {
        Buffer b = allocateUninitialised(DType.INT32, data.length);
        for (int i = 0; i < data.length; i++) {
            b.data()[i] = data[i];
        }
        return b;
    }

    @Override
    protected void readBuffer(Buffer from, int offset, float[] into) {
        System.arraycopy(from.data(), offset, into, 0, into.length);
    }

    @Override
    protected void readBuffer(Buffer from, int offset, int[] into) {
        for (int i = 0; i < into.length; i++) {
            into[i] = (int) from.data()[offset + i];
        }
    }

    @Override
    protected Object errorRecord() {
        return errorBuffer;
    }

    @Override
    protected void readErrorRecord(int[] record) {
        errorReads++;
        System.arraycopy(errorInts, 0, record, 0, record.length);
    }

    @Override
    protected void clearErrorRecord() {
        for (int i = 0; i < ERROR_RECORD_INTS; i++) {
            errorInts[i] = 0;
        }
    }

    @Override
    protected void awaitQueue() {
        queueWaits++;
    }

    @Override
    protected KernelBackend<Buffer> deviceCopyTarget(Backend target) {
        return target == sharesMemoryWith ? sharesMemoryWith : super.deviceCopyTarget(target);
    }

    /** A FLOAT32 buffer of {@code n} elements and a view of {@code shape}/{@code strides}/{@code offset} on it. */
    View view(int n, int[] shape, int[] strides, int offset) {
        return new View(allocateUninitialised(DType.FLOAT32, n), shape, strides, offset);
    }

    /** A contiguous FLOAT32 view of {@code shape} on a new buffer. */
    View contiguous(int... shape) {
        int n = 1;
        for (int s : shape) {
            n *= s;
        }
        return view(n, shape, dev.tessera.Shape.contiguousStrides(shape), 0);
    }
}
