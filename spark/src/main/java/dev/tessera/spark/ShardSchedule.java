package dev.tessera.spark;

import java.util.SplittableRandom;

/**
 * Which examples each replica of data-parallel training reads at each step (see {@link
 * DataParallelConfig}): a pure function of the configuration, the partition and the step, so a
 * rerun task or a resumed run reads exactly the same batches.
 */
final class ShardSchedule {
    private ShardSchedule() {
    }

    /**
     * Returns the indices of the examples (of {@code n}) held by partition {@code p} of {@code
     * partitions}: the contiguous range {@code [p*n/P, (p+1)*n/P)} of the identity order, or of an
     * order drawn from {@code seed} when {@code shuffle}.
     */
    static int[] shard(int n, int partitions, int p, boolean shuffle, long seed) {
        int[] order = shuffle ? permutation(n, new SplittableRandom(seed ^ 0x5DEECE66DL)) : identity(n);
        int from = (int) ((long) p * n / partitions);
        int to = (int) ((long) (p + 1) * n / partitions);
        int[] shard = new int[to - from];
        System.arraycopy(order, from, shard, 0, shard.length);
        return shard;
    }

    /**
     * Returns the {@code b} example indices partition {@code p} uses at global step {@code step}:
     * positions {@code [step*b, (step+1)*b)} of the shard's stream, which repeats the shard in order
     * (or, when {@code shuffle}, in a new order per pass drawn from the seed, the partition and the pass).
     */
    static int[] batch(int[] shard, int p, long step, int b, boolean shuffle, long seed) {
        int m = shard.length;
        int[] out = new int[b];
        long first = step * b;
        long pass = -1;
        int[] order = null;
        for (int i = 0; i < b; i++) {
            long k = first + i;
            long e = k / m;
            if (e != pass) {
                pass = e;
                order = shuffle ? permutation(m, new SplittableRandom(mix(seed, p, e))) : null;
            }
            int pos = (int) (k % m);
            out[i] = shard[order == null ? pos : order[pos]];
        }
        return out;
    }

    /** Returns a seed decorrelated from {@code seed} for partition {@code p} and pass or round {@code e}. */
    static long mix(long seed, int p, long e) {
        return new SplittableRandom(seed + 0x9E3779B97F4A7C15L * (p + 1L) + 0xC2B2AE3D27D4EB4FL * (e + 1L)).nextLong();
    }

    private static int[] identity(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }

    /** Returns a uniform random permutation of {@code 0 .. n-1} (Fisher-Yates). */
    private static int[] permutation(int n, SplittableRandom rng) {
        int[] a = identity(n);
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }
}
