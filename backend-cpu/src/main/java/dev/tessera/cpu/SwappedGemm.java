package dev.tessera.cpu;

/**
 * {@code C = alpha*A*B^T + beta*C} for an A of few rows, computed as the transposed product
 * {@code C^T = alpha*B*A^T + beta*C^T}: the product that a linear layer's forward pass is, for a
 * batch smaller than the layer's output.
 *
 * <p>Why: {@link VectorGemm} packs op(B) into column panels, and a B stored transposed (the
 * {@code [out, in]} weight) is packed through a scalar transposing copy of all of it, however
 * few rows A has. Swapped, the weight is read in place as the left operand and only A (the batch)
 * is transposed into panels; C goes through a buffer, copied transposed in (when beta is not 0)
 * and out. For a batch of 64 through a 784 x 256 layer that copies 50,000 + 16,000 floats instead of
 * 200,000.
 *
 * <p>Same bits: every element of C is the same chain of fused multiply-adds over k, in the same k
 * blocks, as in the product as given ({@code fma(a, b, acc)} is {@code fma(b, a, acc)}), and the
 * buffer holds C's values for the store's {@code beta*C + alpha*tile}.
 */
final class SwappedGemm {
    /** Nanoseconds per float of the transposing pack or copy, and per multiply-add (AMD EPYC Zen 5, 1 thread). */
    private static final double COPY_NS = 0.3;
    private static final double FMA_NS = 0.0125;

    private SwappedGemm() {
    }

    /**
     * Whether the swapped product is expected to be faster: B transposed and A not, A with fewer
     * rows than half of B's, at least a register tile of them, and the copies it saves worth more
     * than the copies it adds and the padding it computes (a model of the costs, in {@code
     * COPY_NS} and {@code FMA_NS}). With fewer rows than a column panel, A's panel is padded with
     * zero columns: a batch of 16 through a 784 x 256 layer computes twice the products it needs
     * and still takes 91 instead of 97 µs; one of 8 would take 89 instead of 78 µs, and stays as
     * given (1 thread, best of 9).
     */
    static boolean pays(boolean transA, boolean transB, int m, int n, int k) {
        if (!transB || transA || m < VectorGemm.MR || n < 2 * m || k < 64) {
            return false;
        }
        double given = (double) n * k * COPY_NS + (double) roundUp(m, VectorGemm.MR) * roundUp(n, VectorGemm.NRW) * k * FMA_NS;
        double swapped = (double) roundUp(m, VectorGemm.NRW) * k * COPY_NS
                + (double) roundUp(n, VectorGemm.MR) * roundUp(m, VectorGemm.NRW) * k * FMA_NS + 2.0 * m * n * COPY_NS;
        return swapped < given;
    }

    /**
     * {@code C = alpha*A*B^T + beta*C} with A {@code m x k} (row-major, {@code lda}) and B
     * {@code n x k} (row-major, {@code ldb}), as {@link VectorGemm#sgemm} with {@code transA =
     * false, transB = true}. Modifies only {@code c[cOff + i*ldc + j]} for {@code i < m, j < n}.
     */
    static void sgemm(GemmVariant variant, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                      float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc, boolean parallel) {
        // With beta 0 the product overwrites every element of the buffer (pays() wants k >= 64).
        float[] t = beta == 0f ? ArrayPool.uninitialised(n * m) : ArrayPool.zeros(n * m);
        if (beta != 0f) {
            for (int i = 0; i < m; i++) {
                int ci = cOff + i * ldc;
                for (int j = 0; j < n; j++) {
                    t[j * m + i] = c[ci + j];
                }
            }
        }
        // C^T (n x m, row-major, ld m) = alpha * B (n x k, in place) * (A^T)
        VectorGemm.sgemmAsGiven(variant, false, true, n, m, k, alpha, b, bOff, ldb, a, aOff, lda, beta, t, 0, m,
                parallel);
        for (int i = 0; i < m; i++) {
            int ci = cOff + i * ldc;
            for (int j = 0; j < n; j++) {
                c[ci + j] = t[j * m + i];
            }
        }
        ArrayPool.give(t);
    }

    private static int roundUp(int x, int multiple) {
        return (x + multiple - 1) / multiple * multiple;
    }
}
