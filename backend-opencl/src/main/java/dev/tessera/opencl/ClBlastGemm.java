package dev.tessera.opencl;

import dev.tessera.spi.View;
import org.jocl.blast.CLBlast;
import org.jocl.blast.CLBlastLayout;
import org.jocl.blast.CLBlastStatusCode;
import org.jocl.blast.CLBlastTranspose;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GEMM through CLBlast ({@code org.jocl:jocl-blast}): one {@code CLBlastSgemmStridedBatched} call
 * per product, row-major, a column-major operand passed as transposed. Layouts CLBlast cannot
 * describe (neither of the last two strides 1, or a leading dimension too small) go to the
 * backend's own kernel. Whether the native library loads is probed once per JVM ({@link #loadError()}).
 */
final class ClBlastGemm implements ClGemm {
    private static final Logger LOG = LoggerFactory.getLogger(ClBlastGemm.class);
    private static volatile String loadError;
    private static volatile boolean probed;

    private final ClKernels kernels;
    private final ClGemm fallback;

    ClBlastGemm(ClKernels kernels, ClGemm fallback) {
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
        Operand pa = Operand.of(a, m, k);
        Operand pb = Operand.of(b, k, n);
        if (pa == null || pb == null) {
            fallback.multiply(a, b, c, accumulate);
            return;
        }
        int status;
        synchronized (ClBlastGemm.class) {
            status = CLBlast.CLBlastSgemmStridedBatched(CLBlastLayout.CLBlastLayoutRowMajor,
                    pa.trans ? CLBlastTranspose.CLBlastTransposeYes : CLBlastTranspose.CLBlastTransposeNo,
                    pb.trans ? CLBlastTranspose.CLBlastTransposeYes : CLBlastTranspose.CLBlastTransposeNo,
                    m, n, k, 1f,
                    ((OpenClStorage) a.storage()).mem(), a.offset(), pa.ld, a.strides()[0],
                    ((OpenClStorage) b.storage()).mem(), b.offset(), pb.ld, b.strides()[0],
                    accumulate ? 1f : 0f,
                    ((OpenClStorage) c.storage()).mem(), c.offset(), n, (long) m * n,
                    batch, kernels.queue(), null);
        }
        if (status != CLBlastStatusCode.CLBlastSuccess) {
            throw new IllegalStateException("opencl backend: CLBlast SGEMM " + batch + " x [" + m + ", " + k + "] x ["
                    + k + ", " + n + "] failed: " + CLBlastStatusCode.stringFor(status) + " (" + status + ")");
        }
    }

    /** How CLBlast reads one operand of {@code rows x cols}: transposed or not, and its leading dimension. */
    private record Operand(boolean trans, long ld) {
        /** Returns the description of {@code v}'s matrices, or null if CLBlast cannot read them in place. */
        static Operand of(View v, int rows, int cols) {
            int rs = v.strides()[1];
            int cs = v.strides()[2];
            if (cols == 1 || cs == 1) { // row-major: (i, p) at i * ld + p
                long ld = rows == 1 ? Math.max(cols, 1) : rs;
                if (ld >= Math.max(cols, 1)) {
                    return new Operand(false, ld);
                }
            }
            if (rows == 1 || rs == 1) { // column-major: (i, p) at i + p * ld, read as a transposed row-major matrix
                long ld = cols == 1 ? Math.max(rows, 1) : cs;
                if (ld >= Math.max(rows, 1)) {
                    return new Operand(true, ld);
                }
            }
            return null;
        }
    }

    @Override
    public String name() {
        return "CLBlast";
    }
}
