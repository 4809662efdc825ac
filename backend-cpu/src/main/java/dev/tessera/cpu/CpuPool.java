package dev.tessera.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RecursiveAction;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread pool shared by every multithreaded CPU kernel of Tessera.
 *
 * <p>One pool for the whole process, so that kernels started from many
 * application threads at once share the cores instead of each starting its own
 * threads and oversubscribing the machine. Its workers are daemon threads named
 * {@code tessera-cpu-N}; they never keep the JVM alive.
 *
 * <p>Size: {@code -Dtessera.threads=N} sets the pool size, default
 * {@link Runtime#availableProcessors()}. With {@code N = 1} every kernel runs on
 * the calling thread (useful for single-core benchmarks and for applications
 * that parallelise at a higher level).
 *
 * <p>Nesting: {@link #parallelFor(int, int, IntRangeConsumer)} may be called
 * from inside one of the pool's own tasks (a kernel that calls another kernel);
 * it then forks its chunks as subtasks of the current task, and a worker that
 * waits for them helps run them instead of blocking, so nested use never
 * deadlocks.
 */
public final class CpuPool {

    private static final Logger LOG = LoggerFactory.getLogger(CpuPool.class);

    /** The system property that sets the pool size. */
    public static final String THREADS_PROPERTY = "tessera.threads";

    /**
     * How many chunks per worker {@link #parallelFor} makes at most: a few per
     * worker so that a chunk that runs slowly (its core shared with another
     * process) does not hold up the whole loop, few enough that the per-chunk
     * cost (task object, possible steal) stays negligible.
     */
    private static final int CHUNKS_PER_THREAD = 4;

    private static final int PARALLELISM = configuredThreads();

    private static final ForkJoinPool POOL = new ForkJoinPool(
            PARALLELISM, new WorkerFactory(), null, false);

    private CpuPool() {
    }

    /**
     * The shared pool.
     *
     * @return a pool with {@link #parallelism()} daemon worker threads
     */
    public static ForkJoinPool pool() {
        return POOL;
    }

    /**
     * The number of worker threads of the shared pool, from
     * {@code -Dtessera.threads} or else {@link Runtime#availableProcessors()}.
     *
     * @return at least 1
     */
    public static int parallelism() {
        return PARALLELISM;
    }

    /**
     * Runs {@code body} over {@code [0, n)} split into contiguous chunks of at
     * least {@code grain} indices, on the shared pool, and returns when every
     * chunk has finished.
     *
     * <p>Runs {@code body.accept(0, n)} inline on the calling thread when
     * {@code n <= grain}, when fewer than two chunks of {@code grain} fit, or when
     * the pool has a single thread. Called from one of the pool's own workers it
     * forks the chunks as subtasks of the running task (the waiting worker helps
     * run them: no deadlock); called from any other thread it submits the loop
     * and waits. Chunks may run in any order and concurrently, so {@code body}
     * must only write state that belongs to its own range.
     *
     * @param n     number of indices; nothing happens when {@code n <= 0}
     * @param grain smallest chunk worth a task; values below 1 count as 1
     * @param body  the loop body, called once per chunk
     * @throws NullPointerException if {@code body} is null
     * @throws RuntimeException     the first exception a chunk threw, once all chunks ended
     */
    public static void parallelFor(int n, int grain, IntRangeConsumer body) {
        if (body == null) {
            throw new NullPointerException("parallelFor: body is null");
        }
        if (n <= 0) {
            return;
        }
        int g = Math.max(1, grain);
        int chunks = Math.min(n / g, PARALLELISM * CHUNKS_PER_THREAD);
        if (PARALLELISM == 1 || chunks < 2) {
            body.accept(0, n);
            return;
        }
        RangeTask task = new RangeTask(body, n, chunks, 0, chunks);
        Thread current = Thread.currentThread();
        try {
            if (current instanceof ForkJoinWorkerThread
                    && ((ForkJoinWorkerThread) current).getPool() == POOL) {
                // Already inside one of our tasks: run as a subtask so that join() helps.
                task.invoke();
            } else {
                POOL.invoke(task);
            }
        } catch (RuntimeException e) {
            throw unwrap(e);
        } catch (Error e) {
            throw unwrap(e);
        }
    }

    /**
     * Fork-join rethrows a worker's exception as a new instance of the same class whose message is
     * the original's {@code toString()} and whose cause is the original; give the caller the
     * original, with its plain message, instead.
     */
    private static <T extends Throwable> T unwrap(T e) {
        T result = e;
        // Nested parallel loops wrap once per level.
        while (result.getCause() != null && result.getCause().getClass() == result.getClass()) {
            @SuppressWarnings("unchecked")
            T original = (T) result.getCause();
            result = original;
        }
        return result;
    }

    /**
     * Splits the chunk indices {@code [lo, hi)} in halves until one chunk is
     * left; the halves are forked so idle workers can steal them (classic
     * RecursiveAction divide and conquer, which is what makes waiting
     * workers help rather than block).
     */
    private static final class RangeTask extends RecursiveAction {
        private static final long serialVersionUID = 1L;

        private final transient IntRangeConsumer body;
        private final int n;
        private final int chunks;
        private final int lo;
        private final int hi;

        RangeTask(IntRangeConsumer body, int n, int chunks, int lo, int hi) {
            this.body = body;
            this.n = n;
            this.chunks = chunks;
            this.lo = lo;
            this.hi = hi;
        }

        @Override
        protected void compute() {
            if (hi - lo == 1) {
                // Chunk boundaries from long arithmetic: n * chunk may exceed int.
                int start = (int) ((long) n * lo / chunks);
                int end = (int) ((long) n * hi / chunks);
                if (end > start) {
                    body.accept(start, end);
                }
                return;
            }
            int mid = (lo + hi) >>> 1;
            invokeAll(new RangeTask(body, n, chunks, lo, mid),
                    new RangeTask(body, n, chunks, mid, hi));
        }
    }

    /** Creates daemon workers named {@code tessera-cpu-N}. */
    private static final class WorkerFactory implements ForkJoinPool.ForkJoinWorkerThreadFactory {
        private final AtomicInteger counter = new AtomicInteger();

        @Override
        public ForkJoinWorkerThread newThread(ForkJoinPool pool) {
            ForkJoinWorkerThread t = new ForkJoinWorkerThread(pool) {
            };
            t.setName("tessera-cpu-" + counter.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    }

    private static int configuredThreads() {
        int available = Runtime.getRuntime().availableProcessors();
        String value = System.getProperty(THREADS_PROPERTY);
        if (value == null || value.isBlank()) {
            return available;
        }
        try {
            int threads = Integer.parseInt(value.trim());
            if (threads >= 1) {
                return threads;
            }
        } catch (NumberFormatException e) {
            // fall through to the warning below
        }
        LOG.warn("Ignoring -D{}={}: expected a positive integer; using {} threads",
                THREADS_PROPERTY, value, available);
        return available;
    }
}
