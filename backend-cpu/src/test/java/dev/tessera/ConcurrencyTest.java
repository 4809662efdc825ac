package dev.tessera;

import static dev.tessera.Checks.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tessera.Oracle.Nd;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Many application threads using the shared CPU backend at once: each gets the result it would
 * get alone (forward and backward, on inputs large enough for the kernels to use the pool), and
 * calling ops from inside another fork-join pool (a parallel stream) completes. The timeouts only
 * turn a deadlock into a failure; nothing here measures speed.
 */
@SuppressWarnings("try") // noGrad() scopes are opened for their effect and never referenced
class ConcurrencyTest {
    private static final int THREADS = 6;

    /** A small "model": large enough that matmul, elementwise ops, softmax and reductions go parallel. */
    private static Tensor forward(Tensor x, Tensor w) {
        return x.matmul(w).tanh().softmax(1).mul(x.sum(1, true)).sum(0, false);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void threadsGetTheSameResultsAsAlone() throws Exception {
        float[] xd = Checks.normal(131, 256 * 200);
        float[] wd = Checks.normal(132, 200 * 160);
        for (int i = 0; i < wd.length; i++) {
            wd[i] *= 0.1f;
        }
        Tensor x = Tensor.of(xd, 256, 200);
        Tensor w = Tensor.of(wd, 200, 160);
        float[] alone = forward(x, w).toFloatArray();
        Tensor wg = Tensor.of(wd, 200, 160).requiresGrad(true);
        forward(x, wg).sum().backward();
        float[] aloneGrad = wg.grad().toFloatArray();

        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<float[][]>> results = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                results.add(pool.submit(() -> {
                    float[] out = null;
                    float[] grad = null;
                    for (int rep = 0; rep < 3; rep++) {
                        out = forward(x, w).toFloatArray();
                        Tensor mine = Tensor.of(wd, 200, 160).requiresGrad(true);
                        forward(x, mine).sum().backward();
                        grad = mine.grad().toFloatArray();
                    }
                    return new float[][] {out, grad};
                }));
            }
            for (Future<float[][]> f : results) {
                float[][] r = f.get();
                assertClose(Oracle.nd(alone, alone.length), Tensor.of(r[0]), 1e-5, 1e-6);
                assertClose(Oracle.nd(aloneGrad, aloneGrad.length), Tensor.of(r[1]), 1e-5, 1e-6);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void opsInsideAParallelStreamComplete() {
        float[] a = Checks.normal(133, 300 * 517);
        Nd na = Oracle.nd(a, 300, 517);
        double expected = Oracle.sum(Oracle.reduce(Oracle.map(na, Math::exp), 1, false, Oracle::max).v());
        Tensor t = Tensor.of(a, 300, 517);
        double[] sums = IntStream.range(0, 16).parallel()
                .mapToDouble(i -> t.exp().max(1, false).sum().item())
                .toArray();
        for (double s : sums) {
            assertEquals(expected, s, Math.abs(expected) * 1e-5);
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void gradModeScopesInManyThreadsDoNotInterfere() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < THREADS * 4; t++) {
                boolean off = t % 2 == 0;
                results.add(pool.submit(() -> {
                    Tensor x = Tensor.ones(64, 64).requiresGrad(true);
                    if (off) {
                        try (var ng = Tensor.noGrad()) {
                            Thread.yield();
                            return !x.matmul(x).requiresGrad();
                        }
                    }
                    Tensor y = x.matmul(x);
                    Thread.yield();
                    y.sum().backward();
                    return y.requiresGrad() && x.grad().get(0, 0) == 128f;
                }));
            }
            for (Future<Boolean> f : results) {
                assertEquals(Boolean.TRUE, f.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
