package dev.tessera.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tessera.spi.KernelGemm;
import dev.tessera.spi.Storage;
import dev.tessera.spi.TiledGemm;
import dev.tessera.spi.View;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Both GEMMs of the CUDA backend (cuBLAS and the own tiled kernel) against a double-precision loop:
 * odd sizes, transposed operands, a broadcast batch (stride 0), accumulation. Needs a GPU.
 */
class MatmulOnCudaTest {
    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (String gemm : new String[] {"own", "cublas"}) {
            // gemm, batch, m, k, n, transA, transB, broadcastB, accumulate
            b.add(Arguments.of(gemm, 1, 1, 1, 1, false, false, false, false));
            b.add(Arguments.of(gemm, 2, 65, 129, 67, false, false, false, false));
            b.add(Arguments.of(gemm, 3, 33, 17, 70, true, false, false, true));
            b.add(Arguments.of(gemm, 2, 64, 64, 64, false, true, false, false));
            b.add(Arguments.of(gemm, 4, 1, 100, 9, true, true, true, false));
            b.add(Arguments.of(gemm, 5, 128, 300, 1, false, false, true, true));
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0}: {1} x [{2}, {3}] x [{3}, {4}] tA={5} tB={6} bcastB={7} acc={8}")
    @MethodSource("cases")
    void matchesTheDoubleLoop(String choice, int batch, int m, int k, int n, boolean transA, boolean transB,
                              boolean broadcastB, boolean accumulate) {
        CudaBackend backend = CudaTestDevice.backend();
        if (choice.equals("cublas")) {
            assumeTrue(CublasGemm.loadError() == null, () -> "cuBLAS is not available here: " + CublasGemm.loadError());
        }
        KernelGemm gemm = backend.gemm(choice);
        assertEquals(choice.equals("own"), gemm instanceof TiledGemm, gemm.name());
        SplittableRandom r = new SplittableRandom(batch * 1000L + m * 31L + k * 7L + n);
        int bBatch = broadcastB ? 1 : batch;
        float[] a = random(r, batch * m * k);
        float[] bb = random(r, bBatch * k * n);
        float[] c0 = random(r, batch * m * n);
        Storage sa = backend.upload(a);
        Storage sb = backend.upload(bb);
        Storage sc = backend.upload(c0);
        // a stored [batch, m, k] row-major, or [batch, k, m] and read transposed; likewise b
        View va = transA ? new View(sa, new int[] {batch, m, k}, new int[] {m * k, 1, m}, 0)
                : new View(sa, new int[] {batch, m, k}, new int[] {m * k, k, 1}, 0);
        int bStride = broadcastB ? 0 : k * n;
        View vb = transB ? new View(sb, new int[] {batch, k, n}, new int[] {bStride, 1, k}, 0)
                : new View(sb, new int[] {batch, k, n}, new int[] {bStride, n, 1}, 0);
        View vc = new View(sc, new int[] {batch, m, n}, new int[] {m * n, n, 1}, 0);
        gemm.multiply(va, vb, vc, accumulate);
        float[] c = backend.readFloats(vc);
        for (int q = 0; q < batch; q++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double sum = accumulate ? c0[(q * m + i) * n + j] : 0;
                    for (int p = 0; p < k; p++) {
                        double x = transA ? a[q * m * k + p * m + i] : a[q * m * k + i * k + p];
                        int bq = broadcastB ? 0 : q;
                        double y = transB ? bb[bq * k * n + j * k + p] : bb[bq * k * n + p * n + j];
                        sum += x * y;
                    }
                    float got = c[(q * m + i) * n + j];
                    assertTrue(Math.abs(got - sum) <= 1e-4 * k + 1e-4 * Math.abs(sum), gemm.name() + ": c[" + q + "," + i
                            + "," + j + "] = " + got + ", expected " + sum);
                }
            }
        }
        sa.release();
        sb.release();
        sc.release();
    }

    private static float[] random(SplittableRandom r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return x;
    }
}
