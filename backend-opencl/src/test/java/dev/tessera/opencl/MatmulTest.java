package dev.tessera.opencl;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tessera.DType;
import dev.tessera.spi.KernelGemm;
import dev.tessera.spi.View;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Batched matrix products on OpenCL against the CPU: row- and column-major operands, batch stride
 * 0, offsets, accumulation and odd sizes, with the own kernel; CLBlast on a few of the same cases
 * (its first call compiles for seconds on POCL).
 */
class MatmulTest {
    /** (batch, m, k, n, transA, transB, broadcastB, accumulate). */
    static List<Arguments> cases() {
        List<Arguments> a = new ArrayList<>();
        a.add(Arguments.of(1, 1, 1, 1, false, false, false, false));
        a.add(Arguments.of(1, 3, 5, 7, false, false, false, false));
        a.add(Arguments.of(2, 3, 5, 7, true, false, false, true));
        a.add(Arguments.of(3, 17, 9, 65, false, true, true, false));
        a.add(Arguments.of(2, 70, 33, 66, true, true, false, true));
        a.add(Arguments.of(1, 130, 64, 1, false, false, false, false));
        a.add(Arguments.of(4, 2, 100, 129, true, false, true, false));
        return a;
    }

    @ParameterizedTest
    @MethodSource("cases")
    void ownKernelMatchesCpu(int batch, int m, int k, int n, boolean ta, boolean tb, boolean bcastB, boolean acc) {
        SpiPair p = new SpiPair();
        check(p, p.ocl.gemm("own"), batch, m, k, n, ta, tb, bcastB, acc);
    }

    @Test
    void clblastMatchesCpu() {
        SpiPair p = new SpiPair();
        assumeTrue(ClBlastGemm.loadError() == null, () -> "CLBlast does not load: " + ClBlastGemm.loadError());
        KernelGemm blast = p.ocl.gemm("clblast");
        // two cases only: POCL compiles each CLBlast kernel variant for seconds
        for (Arguments c : List.of(cases().get(1), cases().get(3))) {
            Object[] a = c.get();
            check(p, blast, (int) a[0], (int) a[1], (int) a[2], (int) a[3], (boolean) a[4], (boolean) a[5], (boolean) a[6],
                    (boolean) a[7]);
        }
    }

    @Test
    void backendMatmulHandlesEmptyAndZeroInnerSizes() {
        SpiPair p = new SpiPair();
        // k = 0: an empty sum, c becomes 0 (or keeps its values when accumulating)
        for (boolean acc : new boolean[] {false, true}) {
            SpiPair.Views a = p.zeros(DType.FLOAT32, 0, new int[] {1, 2, 0}, new int[] {0, 0, 1}, 0);
            SpiPair.Views b = p.zeros(DType.FLOAT32, 0, new int[] {1, 0, 3}, new int[] {0, 3, 1}, 0);
            SpiPair.Views c = p.floats(new float[] {1, 2, 3, 4, 5, 6}, new int[] {1, 2, 3}, SpiPair.contiguous(1, 2, 3), 0);
            for (int s = 0; s < 2; s++) {
                (s == 0 ? p.cpu : p.ocl).matmul(a.on(s), b.on(s), c.on(s), acc);
            }
            p.assertSameFloats(c, "k = 0, accumulate " + acc);
        }
        SpiPair.Views a = p.zeros(DType.FLOAT32, 0, new int[] {0, 2, 3}, SpiPair.contiguous(0, 2, 3), 0);
        SpiPair.Views b = p.zeros(DType.FLOAT32, 0, new int[] {0, 3, 4}, SpiPair.contiguous(0, 3, 4), 0);
        SpiPair.Views c = p.zeros(DType.FLOAT32, 0, new int[] {0, 2, 4}, SpiPair.contiguous(0, 2, 4), 0);
        p.ocl.matmul(a.ocl(), b.ocl(), c.ocl(), false);
        p.ocl.synchronize();
    }

    /** Builds the operands with the requested layouts on both backends, multiplies, compares c. */
    static void check(SpiPair p, KernelGemm gemm, int batch, int m, int k, int n, boolean ta, boolean tb, boolean bcastB,
                      boolean acc) {
        int aOff = 3;
        int bOff = 5;
        float[] ad = SpiPair.random(m * 31L + k, aOff + batch * m * k, 1);
        float[] bd = SpiPair.random(k * 17L + n, bOff + (bcastB ? 1 : batch) * k * n, 1);
        int[] aStrides = ta ? new int[] {m * k, 1, m} : new int[] {m * k, k, 1};
        int[] bStrides = tb ? new int[] {bcastB ? 0 : k * n, 1, k} : new int[] {bcastB ? 0 : k * n, n, 1};
        SpiPair.Views a = p.floats(ad, new int[] {batch, m, k}, aStrides, aOff);
        SpiPair.Views b = p.floats(bd, new int[] {batch, k, n}, bStrides, bOff);
        float[] cd = SpiPair.random(7, 2 + batch * m * n, 1);
        SpiPair.Views c = p.floats(cd, new int[] {batch, m, n}, SpiPair.contiguous(batch, m, n), 2);
        p.cpu.matmul(a.cpu(), b.cpu(), c.cpu(), acc);
        gemm.multiply(a.ocl(), b.ocl(), c.ocl(), acc);
        float[][] r = p.storageFloats(c);
        SpiPair.assertClose(r[0], r[1], 1e-4f, 1e-5f * (float) Math.sqrt(k), gemm.name() + " " + batch + " x [" + m + ", "
                + k + "] x [" + k + ", " + n + "]" + (ta ? " transA" : "") + (tb ? " transB" : "") + (bcastB ? " broadcastB" : "")
                + (acc ? " accumulate" : ""));
    }

    /** Measures GFLOP/s of both GEMMs at n = 256 and 1024 (prints, asserts nothing); run with -Dtessera.test.gemmBench=true. */
    @Test
    void benchmark() {
        assumeTrue(Boolean.getBoolean("tessera.test.gemmBench"), "GEMM timing only with -Dtessera.test.gemmBench=true");
        SpiPair p = new SpiPair();
        for (String choice : new String[] {"own", "clblast"}) {
            KernelGemm g = p.ocl.gemm(choice);
            for (int n : new int[] {256, 1024}) {
                View a = new View(p.ocl.upload(SpiPair.random(1, n * n, 1)), new int[] {1, n, n}, SpiPair.contiguous(1, n, n), 0);
                View b = new View(p.ocl.upload(SpiPair.random(2, n * n, 1)), new int[] {1, n, n}, SpiPair.contiguous(1, n, n), 0);
                View c = new View(p.ocl.allocate(DType.FLOAT32, n * n), new int[] {1, n, n}, SpiPair.contiguous(1, n, n), 0);
                g.multiply(a, b, c, false); // warm-up (compiles)
                p.ocl.synchronize();
                int reps = n == 256 ? 20 : 3;
                long t0 = System.nanoTime();
                for (int i = 0; i < reps; i++) {
                    g.multiply(a, b, c, false);
                }
                p.ocl.synchronize();
                double s = (System.nanoTime() - t0) / 1e9 / reps;
                System.out.printf("GEMM %s n=%d: %.1f GFLOP/s%n", g.name(), n, 2.0 * n * n * n / s / 1e9);
            }
        }
    }
}
