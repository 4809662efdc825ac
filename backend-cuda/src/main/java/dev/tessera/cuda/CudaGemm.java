package dev.tessera.cuda;

import dev.tessera.spi.View;

/**
 * A batched matrix multiply on one GPU, as {@link dev.tessera.spi.Backend#matmul} defines it:
 * {@code c[i] (+)= a[i] x b[i]} for FLOAT32 views {@code a [batch, m, k]}, {@code b [batch, k, n]},
 * {@code c [batch, m, n]} (contiguous). Callers have handled empty shapes and {@code k == 0}.
 */
interface CudaGemm {
    /** Queues {@code c = a x b} ({@code c += a x b} when {@code accumulate}); modifies {@code c}. */
    void multiply(View a, View b, View c, boolean accumulate);

    /** Returns a short name for logs, e.g. {@code "cuBLAS"}. */
    String name();
}
