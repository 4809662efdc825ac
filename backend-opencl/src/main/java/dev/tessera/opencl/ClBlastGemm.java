package dev.tessera.opencl;

import dev.tessera.spi.GemmOperand;
import dev.tessera.spi.KernelGemm;
import dev.tessera.spi.View;
import org.jocl.blast.CLBlast;
import org.jocl.blast.CLBlastLayout;
import org.jocl.blast.CLBlastStatusCode;
import org.jocl.blast.CLBlastTranspose;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GEMM through CLBlast ({@code org.jocl:jocl-blast}): one {@code CLBlastSgemmStridedBatched} call
 * per product, row-major, a column-major operand passed as transposed ({@link GemmOperand}).
 * Layouts CLBlast cannot describe (neither of the last two strides 1, or a leading dimension too
 * small) go to the backend's own kernel. Whether the native library loads is probed once per JVM ({@link #loadError()}).
 */
final class ClBlastGemm implements KernelGemm {
    private static final Logger LOG = LoggerFactory.getLogger(ClBlastGemm.class);
    private static volatile String loadError;
    private static volatile boolean probed;

    private final ClKernels kernels;
    private final KernelGemm fallback;

    ClBlastGemm(ClKernels kernels, KernelGemm fallback) {
        this.kernels = kernels;
        this.fallback = fallback;
    }

    /** Returns null when CLBlast's native library loads, else why not (probed once; never throws). */
    static String loadError() {
        if (!probed) {
            synchronized (ClBlastGemm.class) {
                if (!probed) {
                    try {
                        CLBlast.setExceptionsEnabled(false);
                        loadError = null;
                    } catch (LinkageError | RuntimeException e) {
                        loadError = e.toString();
                        LOG.debug("CLBlast does not load", e);
                    }
                    probed = true;
                }
            }
        }
        return loadError;
    }

    @Override
    public void multiply(View a, View b, View c, boolean accumulate) {
        int batch = c.shape()[0];
        int m = c.shape()[1];
        int n = c.shape()[2];
        int k = a.shape()[2];
        GemmOperand pa = GemmOperand.of(a, m, k);
        GemmOperand pb = GemmOperand.of(b, k, n);
        if (pa == null || pb == null) {
            fallback.multiply(a, b, c, accumulate);
            return;
        }
        int status;
        synchronized (ClBlastGemm.class) {
            status = CLBlast.CLBlastSgemmStridedBatched(CLBlastLayout.CLBlastLayoutRowMajor,
                    pa.transposed() ? CLBlastTranspose.CLBlastTransposeYes : CLBlastTranspose.CLBlastTransposeNo,
                    pb.transposed() ? CLBlastTranspose.CLBlastTransposeYes : CLBlastTranspose.CLBlastTransposeNo,
                    m, n, k, 1f,
                    ((OpenClStorage) a.storage()).mem(), a.offset(), pa.ld(), a.strides()[0],
                    ((OpenClStorage) b.storage()).mem(), b.offset(), pb.ld(), b.strides()[0],
                    accumulate ? 1f : 0f,
                    ((OpenClStorage) c.storage()).mem(), c.offset(), n, (long) m * n,
                    batch, kernels.queue(), null);
        }
        if (status != CLBlastStatusCode.CLBlastSuccess) {
            throw new IllegalStateException("opencl backend: CLBlast SGEMM " + batch + " x [" + m + ", " + k + "] x ["
                    + k + ", " + n + "] failed: " + CLBlastStatusCode.stringFor(status) + " (" + status + ")");
        }
    }

    @Override
    public String name() {
        return "CLBlast";
    }
}
