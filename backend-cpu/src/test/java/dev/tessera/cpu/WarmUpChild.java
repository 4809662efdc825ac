package dev.tessera.cpu;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Run in a child JVM by {@link VectorWarmUpTest}: multiplies two matrices and takes an SGD step
 * while the warm-up's gates are shut, waits until they open, does both again on the same operands,
 * and prints what it saw.
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
        boolean shutAtStart = !VectorWarmUp.gemmCompiled() && !VectorWarmUp.optimCompiled();
        float[][] before = work();
        boolean stillShut = !VectorWarmUp.gemmCompiled() && !VectorWarmUp.optimCompiled();
        long t0 = System.nanoTime();
        long deadline = t0 + 60_000_000_000L;
        while (!(VectorWarmUp.gemmCompiled() && VectorWarmUp.optimCompiled()) && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        boolean open = VectorWarmUp.gemmCompiled() && VectorWarmUp.optimCompiled();
        long waitedMs = (System.nanoTime() - t0) / 1_000_000;
        float[][] after = work();
        boolean sameBits = Arrays.equals(before[0], after[0]) && Arrays.equals(before[1], after[1]);
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

    /** A product through every register-tile kernel and an SGD step with momentum; returns both results. */
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
        return new float[][] {c, p};
    }
}
