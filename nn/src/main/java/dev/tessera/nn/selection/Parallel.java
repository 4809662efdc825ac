package dev.tessera.nn.selection;

import dev.tessera.KernelThreads;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/** Runs independent tasks (folds) on a few threads of their own and returns their results in task order. */
final class Parallel {
    private static final AtomicInteger POOLS = new AtomicInteger();

    private Parallel() {
    }

    /**
     * Returns {@code task.apply(i)} for {@code i = 0 .. count-1}, in that order, computed on {@code
     * threads} threads (in the calling thread when {@code threads <= 1}). On several threads, each
     * one's kernels are limited ({@link KernelThreads}) to its share of the processors, at least
     * one, so that the tasks do not compete for the backend's shared threads. The first task to
     * fail ends the call with its exception (unwrapped); tasks still running are interrupted and
     * left to finish on their daemon threads.
     */
    static <T> List<T> map(int count, int threads, IntFunction<T> task) {
        List<T> out = new ArrayList<>(count);
        if (threads <= 1 || count <= 1) {
            for (int i = 0; i < count; i++) {
                out.add(task.apply(i));
            }
            return out;
        }
        int pool = POOLS.incrementAndGet();
        AtomicInteger thread = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "tessera-cv-" + pool + "-" + thread.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        int share = Math.max(1, Runtime.getRuntime().availableProcessors() / threads);
        try {
            CompletionService<T> done = new ExecutorCompletionService<>(executor);
            List<Future<T>> futures = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int index = i;
                futures.add(done.submit(() -> {
                    try (KernelThreads k = KernelThreads.limit(share)) {
                        return task.apply(index);
                    }
                }));
            }
            for (int i = 0; i < count; i++) {
                done.take().get(); // rethrows the first failure, whichever task it was
            }
            for (Future<T> f : futures) {
                out.add(f.get());
            }
            return out;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("a parallel fold failed: " + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for parallel folds", e);
        } finally {
            executor.shutdownNow();
        }
    }
}
