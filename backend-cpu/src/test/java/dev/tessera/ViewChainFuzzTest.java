package dev.tessera;

import static dev.tessera.Checks.assertClose;

import dev.tessera.Oracle.Nd;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Seeded random chains of views (transpose, permute, slice with step and negative bounds, select,
 * unsqueeze, squeeze, expand, reshape) applied both to a tensor and to its {@link Oracle} copy;
 * the resulting strided tensor is then read, fed to unary and broadcast binary ops, reduced along
 * each dim, soft-maxed, reshaped, made contiguous, multiplied as a matrix and differentiated.
 * Each seed is one test, so a failure names a reproducible case.
 */
class ViewChainFuzzTest {

    /** A tensor and the oracle array it must equal, plus a description of how it was made. */
    record Pair(Tensor t, Nd n, String how) {
    }

    static Stream<Long> seeds() {
        return IntStream.range(0, 120).mapToObj(i -> 1000L + i);
    }

    static Pair randomView(Random r, boolean allowExpand) {
        int rank = 1 + r.nextInt(4);
        int[] shape = new int[rank];
        for (int d = 0; d < rank; d++) {
            shape[d] = 1 + r.nextInt(5);
        }
        float[] data = Checks.normal(r.nextLong(), Oracle.numel(shape));
        Pair p = new Pair(Tensor.of(data, shape), Oracle.nd(data, shape), "of" + Arrays.toString(shape));
        int steps = 1 + r.nextInt(4);
        for (int s = 0; s < steps; s++) {
            p = step(r, p, allowExpand);
        }
        return p;
    }

    private static Pair step(Random r, Pair p, boolean allowExpand) {
        int rank = p.n.shape().length;
        int[] sh = p.n.shape();
        switch (r.nextInt(8)) {
            case 0 -> {
                if (rank < 2) {
                    return p;
                }
                int a = r.nextInt(rank);
                int b = r.nextInt(rank);
                return new Pair(p.t.transpose(a, b), Oracle.transpose(p.n, a, b), p.how + ".transpose(" + a + "," + b + ")");
            }
            case 1 -> {
                int[] perm = IntStream.range(0, rank).toArray();
                shuffle(r, perm);
                return new Pair(p.t.permute(perm), Oracle.permute(p.n, perm), p.how + ".permute" + Arrays.toString(perm));
            }
            case 2, 3 -> {
                int d = r.nextInt(rank);
                int size = sh[d];
                int start = r.nextInt(size + 1) - (r.nextBoolean() ? size : 0);
                int end = start < 0 ? size : start + 1 + r.nextInt(size);
                int stepBy = 1 + r.nextInt(3);
                Nd n = Oracle.slice(p.n, d, start, end, stepBy);
                if (n.v().length == 0) {
                    return p;
                }
                return new Pair(p.t.slice(d, start, end, stepBy), n, p.how + ".slice(" + d + "," + start + "," + end + "," + stepBy + ")");
            }
            case 4 -> {
                if (rank < 2) {
                    return p;
                }
                int d = r.nextInt(rank);
                int i = r.nextInt(sh[d]);
                return new Pair(p.t.select(d, i), Oracle.dropDim(Oracle.slice(p.n, d, i, i + 1, 1), d),
                        p.how + ".select(" + d + "," + i + ")");
            }
            case 5 -> {
                if (rank > 4) {
                    return p;
                }
                int d = r.nextInt(rank + 1);
                int[] ns = new int[rank + 1];
                for (int i = 0, j = 0; i <= rank; i++) {
                    ns[i] = i == d ? 1 : sh[j++];
                }
                return new Pair(p.t.unsqueeze(d), new Nd(p.n.v(), ns), p.how + ".unsqueeze(" + d + ")");
            }
            case 6 -> {
                if (!allowExpand) {
                    return p;
                }
                int[] target = sh.clone();
                boolean any = false;
                for (int d = 0; d < rank; d++) {
                    if (sh[d] == 1 && r.nextBoolean()) {
                        target[d] = 2 + r.nextInt(3);
                        any = true;
                    }
                }
                if (!any) {
                    return p;
                }
                return new Pair(p.t.expand(target), Oracle.expand(p.n, target), p.how + ".expand" + Arrays.toString(target));
            }
            default -> {
                // reshape into a random factorisation (a view or a copy, depending on strides)
                int numel = p.n.v().length;
                int[] ns = factor(r, numel);
                return new Pair(p.t.reshape(ns), new Nd(p.n.v(), ns), p.how + ".reshape" + Arrays.toString(ns));
            }
        }
    }

    private static void shuffle(Random r, int[] a) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    private static int[] factor(Random r, int n) {
        java.util.List<Integer> parts = new java.util.ArrayList<>();
        int rest = n;
        while (rest > 1 && parts.size() < 3) {
            java.util.List<Integer> divisors = new java.util.ArrayList<>();
            for (int k = 2; k <= rest; k++) {
                if (rest % k == 0) {
                    divisors.add(k);
                }
            }
            int k = divisors.get(r.nextInt(divisors.size()));
            parts.add(k);
            rest /= k;
        }
        if (rest > 1) {
            parts.add(rest);
        }
        if (parts.isEmpty() || r.nextInt(4) == 0) {
            parts.add(r.nextInt(parts.size() + 1), 1);
        }
        return parts.stream().mapToInt(i -> i).toArray();
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void forwardOpsOnRandomViews(long seed) {
        Random r = new Random(seed);
        Pair p = randomView(r, true);
        String how = p.how;
        assertClose(how + " values", p.n, p.t, 0, 0);
        assertClose(how + ".exp()", Oracle.map(p.n, Math::exp), p.t.exp());
        assertClose(how + ".contiguous()", p.n, p.t.contiguous(), 0, 0);
        assertClose(how + ".reshape(-1)", new Nd(p.n.v(), new int[] {p.n.v().length}), p.t.reshape(-1), 0, 0);
        // a broadcast partner: the same view's last dim as a fresh row vector, and a transposed partner
        int rank = p.n.shape().length;
        int last = p.n.shape()[rank - 1];
        float[] row = Checks.normal(seed + 1, last);
        assertClose(how + " + row", Oracle.zip(p.n, Oracle.nd(row, last), (a, b) -> a + b), p.t.add(Tensor.of(row, last)));
        Pair q = randomView(new Random(seed * 31), false);
        if (Arrays.equals(q.n.shape(), p.n.shape())) {
            assertClose(how + " * " + q.how, Oracle.zip(p.n, q.n, (a, b) -> a * b), p.t.mul(q.t));
        }
        assertClose(how + " - self", Oracle.map(p.n, v -> 0), p.t.sub(p.t), 0, 0);
        for (int d = 0; d < rank; d++) {
            int dim = d;
            assertClose(how + ".sum(" + d + ")", Oracle.reduce(p.n, d, false, Oracle::sum), p.t.sum(d, false), 1e-5, 1e-5);
            assertClose(how + ".max(" + d + ")", Oracle.reduce(p.n, d, true, Oracle::max), p.t.max(d, true), 0, 0);
            assertClose(how + ".argmin(" + d + ")", Oracle.reduce(p.n, d, false, v -> Oracle.argmin(v)),
                    p.t.argmin(d).to(DType.FLOAT32), 0, 0);
            assertClose(how + ".softmax(" + d + ")", Oracle.softmax(p.n, dim, false), p.t.softmax(d), 1e-5, 1e-6);
        }
        assertClose(how + ".sum()", new Nd(new double[] {Oracle.sum(p.n.v())}, new int[0]), p.t.sum(), 1e-5, 1e-5);
        if (rank >= 2) {
            // as the left operand of a matmul against a fresh [k, 3] matrix, and as the right operand
            int k = p.n.shape()[rank - 1];
            float[] w = Checks.normal(seed + 2, k * 3);
            assertClose(how + " @ w", Oracle.matmul(p.n, Oracle.nd(w, k, 3)), p.t.matmul(Tensor.of(w, k, 3)), 1e-5, 1e-5);
            int m = p.n.shape()[rank - 2];
            float[] v = Checks.normal(seed + 3, 2 * m);
            assertClose("v @ " + how, Oracle.matmul(Oracle.nd(v, 2, m), p.n), Tensor.of(v, 2, m).matmul(p.t), 1e-5, 1e-5);
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("gradSeeds")
    void gradientsThroughRandomViews(long seed) {
        // Replay the chain randomView(seed) builds on GradCheck's leaf, starting from the same root.
        Tensor base = rootOf(seed);
        GradCheck.assertGradients(in -> replay(seed, in[0]).exp(), base);
    }

    static Stream<Long> gradSeeds() {
        return IntStream.range(0, 40).mapToObj(i -> 5000L + i);
    }

    /** The root tensor that {@link #randomView} starts from for this seed. */
    private static Tensor rootOf(long seed) {
        Random r = new Random(seed);
        int rank = 1 + r.nextInt(4);
        int[] shape = new int[rank];
        for (int d = 0; d < rank; d++) {
            shape[d] = 1 + r.nextInt(5);
        }
        return Tensor.of(Checks.normal(r.nextLong(), Oracle.numel(shape)), shape);
    }

    /** Applies the same random chain as {@link #randomView} for this seed to {@code root}. */
    private static Tensor replay(long seed, Tensor root) {
        Random r = new Random(seed);
        int rank = 1 + r.nextInt(4);
        for (int d = 0; d < rank; d++) {
            r.nextInt(5);
        }
        r.nextLong();
        Pair p = new Pair(root, Oracle.nd(root.toFloatArray(), root.shape()), "root");
        int steps = 1 + r.nextInt(4);
        for (int s = 0; s < steps; s++) {
            p = step(r, p, true);
        }
        return p.t;
    }
}
