package dev.tessera.cpu;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Run in a child JVM by {@link VectorWarmUpTest}: runs a kernel of each gate (a product, an SGD
 * step, elementwise ops, column sums) while the warm-up's gates are shut, waits until they open,
 * runs them again on the same operands, and prints what it saw.
 */
public final class WarmUpChild {
    private WarmUpChild() {
    }

    /**
     * Prints {@code shutAtStart=}, {@code openedAfterMs=} (-1 if not within 60 s),
     * {@code sameBits=}, {@code threadLeft=} (whether the warm-up thread is still alive 5 s after).
     */
    public static void main(String[] args) throws InterruptedException {
        VectorWarmUp.start();
        boolean shutAtStart = !anyOpen();
        float[][] before = work();
        boolean stillShut = !anyOpen();
        long t0 = System.nanoTime();
        long deadline = t0 + 60_000_000_000L;
        while (!allOpen() && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        boolean open = allOpen();
        long waitedMs = (System.nanoTime() - t0) / 1_000_000;
        float[][] after = work();
        boolean sameBits = Arrays.deepEquals(before, after);
        boolean threadLeft = true;
        for (long end = System.nanoTime() + 5_000_000_000L; threadLeft && System.nanoTime() < end; Thread.sleep(10)) {
            threadLeft = Thread.getAllStackTraces().keySet().stream()
                    .anyMatch(t -> t.getName().equals("tessera-vector-warmup"));
        }
        System.out.println("shutAtStart=" + (shutAtStart && stillShut));
        System.out.println("openedAfterMs=" + (open ? waitedMs : -1));
        System.out.println("sameBits=" + sameBits);
        System.out.println("threadLeft=" + threadLeft);
    }

    private static boolean anyOpen() {
        return VectorWarmUp.gemmCompiled() || VectorWarmUp.optimCompiled() || VectorWarmUp.elementwiseCompiled();
    }

    private static boolean allOpen() {
        return VectorWarmUp.gemmCompiled() && VectorWarmUp.optimCompiled() && VectorWarmUp.elementwiseCompiled();
    }

    /**
     * A product through every register-tile kernel, an SGD step with momentum, a ReLU, a product of
     * rows and column sums; returns the results.
     */
    private static float[][] work() {
        SplittableRandom rnd = new SplittableRandom(5);
        int m = 70;
        int n = 90;
        int k = 600;
        float[] a = new float[m * k];
        float[] b = new float[k * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) rnd.nextDouble(-1, 1);
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) rnd.nextDouble(-1, 1);
        }
        float[] c = new float[m * n];
        for (boolean transA : new boolean[] {false, true}) {
            for (GemmVariant v : GemmVariant.ALL) {
                VectorGemm.sgemm(v, transA, true, m, n, k, 0.5f, a, 0, transA ? m : k, b, 0, k, 1f, c, 0, n, false);
            }
        }
        float[] p = Arrays.copyOf(c, c.length);
        float[] buf = Arrays.copyOf(a, c.length);
        OptimKernels.sgd(p, 0, c, 0, buf, 0, c.length, new dev.tessera.spi.SgdSpec(0.1f, 0.9f, 0f, 0f, false, false));
        float[] relu = new float[c.length];
        UnaryKernels.row(dev.tessera.spi.UnaryOp.RELU, 0f, c, 0, 1, relu, 0, 1, c.length);
        float[] product = new float[c.length];
        BinaryKernels.row(dev.tessera.spi.BinaryOp.MUL, relu, 0, 1, p, 0, 1, product, 0, 1, c.length);
        float[] sums = new float[n];
        ReduceKernels.reduce(dev.tessera.spi.ReduceOp.SUM, product, 0, 1, m, n, sums, null, 0);
        return new float[][] {c, p, relu, product, sums};
    }
}
