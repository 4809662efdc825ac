package dev.tessera.cuda;

import dev.tessera.spi.GemmOperand;
import dev.tessera.spi.KernelGemm;
import dev.tessera.spi.View;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasOperation;
import jcuda.jcublas.cublasStatus;
import jcuda.runtime.cudaStream_t;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GEMM through cuBLAS ({@code JCublas2}, which needs {@code libcublas.so.12}): one {@code
 * cublasSgemmStridedBatched} per product on the device's stream. cuBLAS is column-major, so the
 * row-major {@code C = A B} is computed as {@code C^T = B^T A^T}: the operands are passed in the
 * other order, each transposed or not as {@link GemmOperand} reads it. Layouts cuBLAS cannot read
 * in place go to the backend's own kernel. Whether the library loads is probed once per JVM
 * ({@link #loadError()}). Default math mode: no TF32, full FP32 products.
 */
final class CublasGemm implements KernelGemm {
    private static final Logger LOG = LoggerFactory.getLogger(CublasGemm.class);
    private static volatile String loadError;
    private static volatile boolean probed;
    private static final java.util.concurrent.atomic.AtomicBoolean WARNED = new java.util.concurrent.atomic.AtomicBoolean();

    private final CudaContext context;
    private final cublasHandle handle;
    private final KernelGemm fallback;
    private final Pointer one = Pointer.to(new float[] {1f});
    private final Pointer zero = Pointer.to(new float[] {0f});
    private final String version;

    /**
     * Creates a cuBLAS handle on {@code context}'s device and stream.
     *
     * @throws IllegalStateException if cuBLAS cannot create one
     */
    CublasGemm(CudaContext context, KernelGemm fallback) {
        this.context = context;
        this.fallback = fallback;
        context.makeCurrent();
        cublasHandle h = new cublasHandle();
        int status = JCublas2.cublasCreate(h);
        if (status != cublasStatus.CUBLAS_STATUS_SUCCESS) {
            throw new IllegalStateException(context.name() + ": cublasCreate failed: " + cublasStatus.stringFor(status));
        }
        JCublas2.cublasSetStream(h, new cudaStream_t(context.stream()));
        int[] v = new int[1];
        JCublas2.cublasGetVersion(h, v);
        this.version = v[0] / 10000 + "." + (v[0] / 100) % 100 + "." + v[0] % 100;
        this.handle = h;
    }

    /** Returns null when JCublas2 and libcublas.so.12 load, else why not (probed once; never throws). */
    static String loadError() {
        if (!probed) {
            synchronized (CublasGemm.class) {
                if (!probed) {
                    try {
                        JCublas2.setExceptionsEnabled(false);
                        loadError = null;
                    } catch (LinkageError | RuntimeException e) {
                        loadError = Availability.cublasMissing(e.toString());
                        LOG.debug("cuBLAS does not load", e);
                    }
                    probed = true;
                }
            }
        }
        return loadError;
    }

    /** Logs {@code why} cuBLAS is not used as a warning, the first time this is called in the JVM only. */
    static void warnOnce(String why) {
        if (WARNED.compareAndSet(false, true)) {
            LOG.warn("CUDA: {}", why);
        }
    }

    @Override
    public void multiply(View a, View b, View c, boolean accumulate) {
        int batch = c.shape()[0];
        int m = c.shape()[1];
        int n = c.shape()[2];
        int k = a.shape()[2];
        GemmOperand pa = GemmOperand.of(a, m, k);
        GemmOperand pb = GemmOperand.of(b, k, n);
        if (pa == null || pb == null || pa.ld() > Integer.MAX_VALUE || pb.ld() > Integer.MAX_VALUE) {
            fallback.multiply(a, b, c, accumulate);
            return;
        }
        CUdeviceptr pA = at(a);
        CUdeviceptr pB = at(b);
        CUdeviceptr pC = at(c);
        int status;
        synchronized (handle) {
            context.makeCurrent();
            status = JCublas2.cublasSgemmStridedBatched(handle,
                    pb.transposed() ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N,
                    pa.transposed() ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N,
                    n, m, k, one, pB, (int) pb.ld(), b.strides()[0], pA, (int) pa.ld(), a.strides()[0],
                    accumulate ? one : zero, pC, n, (long) m * n, batch);
        }
        if (status != cublasStatus.CUBLAS_STATUS_SUCCESS) {
            throw new IllegalStateException(context.name() + ": cuBLAS SGEMM " + batch + " x [" + m + ", " + k + "] x ["
                    + k + ", " + n + "] failed: " + cublasStatus.stringFor(status) + " (" + status + ")");
        }
    }

    private static CUdeviceptr at(View v) {
        return ((CudaStorage) v.storage()).pointer().withByteOffset(4L * v.offset());
    }

    @Override
    public String name() {
        return "cuBLAS " + version;
    }
}
