package dev.tessera.cpu;

import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;
import org.ejml.dense.row.CommonOps_MT_FDRM;

/**
 * SGEMM through EJML, the fallback of {@link Gemm} when the Vector API is not available.
 *
 * <p>EJML wants dense {@link FMatrixRMaj} operands that start at index 0 with no
 * padding between rows; an operand already laid out so is wrapped without copying,
 * any other (an offset, or a leading dimension larger than its column count) is copied
 * first. EJML's {@code mult} overwrites its output, so beta is applied here: C is
 * wrapped and written directly when beta is 0 (or, with {@code multAdd}, when beta is 1)
 * and it is dense, otherwise the product goes to a temporary and is merged into C.
 */
final class EjmlGemm {

    private EjmlGemm() {
    }

    /**
     * {@code C = alpha*op(A)*op(B) + beta*C}; the arguments are those of
     * {@link Gemm#sgemm}, already validated, with {@code m, n, k >= 1} and
     * {@code alpha != 0}. Modifies only {@code c[cOff + i*ldc + j]} for
     * {@code i < m, j < n}.
     *
     * @param parallel whether to use EJML's multithreaded {@code CommonOps_MT_FDRM}
     */
    static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc, boolean parallel) {
        FMatrixRMaj ma = transA ? view(a, aOff, lda, k, m) : view(a, aOff, lda, m, k);
        FMatrixRMaj mb = transB ? view(b, bOff, ldb, n, k) : view(b, bOff, ldb, k, n);
        // C may be used in place only if it is dense and shares no array with A or B
        // (EJML reads A and B while it writes C).
        boolean denseC = cOff == 0 && ldc == n && c != a && c != b;
        if (denseC && (beta == 0f || beta == 1f)) {
            FMatrixRMaj mc = FMatrixRMaj.wrap(m, n, c);
            if (beta == 0f) {
                mult(transA, transB, alpha, ma, mb, mc, parallel);
            } else {
                multAdd(transA, transB, alpha, ma, mb, mc, parallel);
            }
            return;
        }
        FMatrixRMaj product = new FMatrixRMaj(m, n);
        mult(transA, transB, alpha, ma, mb, product, parallel);
        float[] t = product.data;
        for (int i = 0; i < m; i++) {
            int row = cOff + i * ldc;
            int trow = i * n;
            for (int j = 0; j < n; j++) {
                c[row + j] = beta == 0f ? t[trow + j] : beta * c[row + j] + t[trow + j];
            }
        }
    }

    /** out = alpha * op(A) * op(B), overwriting out. */
    private static void mult(boolean transA, boolean transB, float alpha,
                             FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj out, boolean parallel) {
        if (parallel) {
            if (transA && transB) {
                CommonOps_MT_FDRM.multTransAB(alpha, a, b, out);
            } else if (transA) {
                CommonOps_MT_FDRM.multTransA(alpha, a, b, out);
            } else if (transB) {
                CommonOps_MT_FDRM.multTransB(alpha, a, b, out);
            } else {
                CommonOps_MT_FDRM.mult(alpha, a, b, out);
            }
        } else {
            if (transA && transB) {
                CommonOps_FDRM.multTransAB(alpha, a, b, out);
            } else if (transA) {
                CommonOps_FDRM.multTransA(alpha, a, b, out);
            } else if (transB) {
                CommonOps_FDRM.multTransB(alpha, a, b, out);
            } else {
                CommonOps_FDRM.mult(alpha, a, b, out);
            }
        }
    }

    /** out += alpha * op(A) * op(B). */
    private static void multAdd(boolean transA, boolean transB, float alpha,
                                FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj out, boolean parallel) {
        if (parallel) {
            if (transA && transB) {
                CommonOps_MT_FDRM.multAddTransAB(alpha, a, b, out);
            } else if (transA) {
                CommonOps_MT_FDRM.multAddTransA(alpha, a, b, out);
            } else if (transB) {
                CommonOps_MT_FDRM.multAddTransB(alpha, a, b, out);
            } else {
                CommonOps_MT_FDRM.multAdd(alpha, a, b, out);
            }
        } else {
            if (transA && transB) {
                CommonOps_FDRM.multAddTransAB(alpha, a, b, out);
            } else if (transA) {
                CommonOps_FDRM.multAddTransA(alpha, a, b, out);
            } else if (transB) {
                CommonOps_FDRM.multAddTransB(alpha, a, b, out);
            } else {
                CommonOps_FDRM.multAdd(alpha, a, b, out);
            }
        }
    }

    /**
     * The stored {@code rows x cols} matrix at {@code x[off + r*ld + col]} as an
     * {@link FMatrixRMaj}: wrapped when dense from index 0, else copied row by row.
     */
    private static FMatrixRMaj view(float[] x, int off, int ld, int rows, int cols) {
        if (off == 0 && ld == cols) {
            return FMatrixRMaj.wrap(rows, cols, x);
        }
        FMatrixRMaj copy = new FMatrixRMaj(rows, cols);
        for (int r = 0; r < rows; r++) {
            System.arraycopy(x, off + r * ld, copy.data, r * cols, cols);
        }
        return copy;
    }
}
