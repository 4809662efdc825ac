package dev.tessera.spi;

/**
 * A batched matrix multiply on one device, as {@link Backend#matmul} defines it: {@code c[i] (+)=
 * a[i] x b[i]} for FLOAT32 views {@code a [batch, m, k]}, {@code b [batch, k, n]}, {@code c [batch,
 * m, n]} (contiguous). For backend authors: {@link KernelBackend#matmul} has handled empty shapes
 * and {@code k == 0} and checked the storages before it calls {@link #multiply}.
 */
public interface KernelGemm {
    /** Queues {@code c = a x b} ({@code c += a x b} when {@code accumulate}); modifies {@code c}. */
    void multiply(View a, View b, View c, boolean accumulate);

    /** Returns a short name for logs, e.g. {@code "CLBlast"} or {@code "own tiled kernel"}. */
    String name();
}
