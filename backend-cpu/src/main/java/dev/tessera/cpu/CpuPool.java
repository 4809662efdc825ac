package dev.tessera.cpu;

import dev.tessera.KernelThreads;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads shared by every multithreaded CPU kernel of Tessera: a team of {@code N - 1}
 * worker threads that, together with the thread that calls
 * {@link #parallelFor(int, int, IntRangeConsumer)}, run one parallel loop at a time.
 *
 * <p>One team for the whole process, so that kernels started from many application threads at
 * once share the cores instead of each starting its own threads and oversubscribing the machine.
 * The workers are daemon threads named {@code tessera-cpu-N}; they never keep the JVM alive.
 *
 * <p>Why not a {@code ForkJoinPool}: a training step runs hundreds of parallel loops of a few
 * microseconds to a millisecond each, and waking a parked pool thread costs 10-20 µs on a
 * virtual machine, which made two threads slower than one for small models. Here the caller
 * works on the loop too (it never waits idle for a wake-up), chunks are handed out dynamically
 * (a worker that is late or descheduled only takes fewer of them), and a worker that finished a
 * loop keeps polling for the next one for {@value #SPIN_MICROS_DEFAULT} µs (as OpenMP runtimes
 * do; {@code -Dtessera.spinMicros} changes it, 0 parks at once) before it parks.
 *
 * <p>Size: {@code -Dtessera.threads=N} sets the number of threads (the caller included), default
 * {@link Runtime#availableProcessors()}. With {@code N = 1} every kernel runs on the calling
 * thread (useful for single-core benchmarks and for applications that parallelise at a higher
 * level).
 *
 * <p>Nesting and concurrency: a loop started inside a chunk of another loop, or while another
 * application thread's loop holds the team, runs on its calling thread. That never deadlocks and
 * never puts more threads on the cores than the team has: the outer loop already uses them all.
 *
 * <p>Per-thread limit: a caller inside {@link KernelThreads#limit(int) KernelThreads.limit(t)} gets
 * at most {@code t} threads, itself included: with {@code t = 1} its loops run on it alone and
 * never take the team, so several application threads that each train their own model (folds,
 * Spark tasks) do not wait for each other's loops or share cores with a spinning worker.
 */
public final class CpuPool {

    private static final Logger LOG = LoggerFactory.getLogger(CpuPool.class);

    /** The system property that sets the number of threads. */
    public static final String THREADS_PROPERTY = "tessera.threads";

    /** The system property that sets how long an idle worker polls before it parks, in µs. */
    public static final String SPIN_PROPERTY = "tessera.spinMicros";

    private static final int SPIN_MICROS_DEFAULT = 200;

    /**
     * How many chunks per thread {@link #parallelFor} makes at most: a few per thread so that a
     * chunk that runs slowly (its core shared with another process) does not hold up the whole
     * loop, few enough that handing out a chunk (one atomic increment) stays negligible.
     */
    private static final int CHUNKS_PER_THREAD = 4;

    private static final int PARALLELISM = positiveProperty(THREADS_PROPERTY, Runtime.getRuntime().availableProcessors(), 1);

    private static final long SPIN_NANOS = 1000L * positiveProperty(SPIN_PROPERTY, SPIN_MICROS_DEFAULT, 0);

    /** Set while a loop holds the team; loops that find it set run inline. */
    private static final AtomicBoolean BUSY = new AtomicBoolean();

    /** The thread whose loop holds the team, for the nesting check. */
    private static volatile Thread owner;

    /** The loop the workers should help with, and its sequence number (bumped after it is set). */
    private static final AtomicReference<Loop> CURRENT = new AtomicReference<>();
    private static final AtomicInteger GENERATION = new AtomicInteger();

    private static final Worker[] WORKERS = startWorkers();

    private CpuPool() {
    }

    /**
     * The number of threads kernels use, the calling thread included: {@code -Dtessera.threads} or
     * else {@link Runtime#availableProcessors()}.
     *
     * @return at least 1
     */
    public static int parallelism() {
        return PARALLELISM;
    }

    /**
     * The number of threads a loop started now by the calling thread may use: {@link #parallelism()},
     * or less where the thread set a {@link KernelThreads#limit(int)}.
     *
     * @return at least 1
     */
    public static int callerParallelism() {
        return Math.min(PARALLELISM, KernelThreads.current());
    }

    /**
     * Runs {@code body} over {@code [0, n)} split into contiguous chunks of at least {@code grain}
     * indices, on the calling thread and the team's workers, and returns when every chunk has
     * finished.
     *
     * <p>Runs {@code body.accept(0, n)} inline on the calling thread when {@code n <= grain}, when
     * fewer than two chunks of {@code grain} fit, when there is a single thread or the calling
     * thread is limited to one ({@link KernelThreads}), when called from inside another loop's
     * chunk, or while another thread's loop holds the team. A caller limited to {@code t} threads
     * gets help from at most {@code t - 1} workers. Chunks may run
     * in any order and concurrently, so {@code body} must only write state that belongs to its
     * own range.
     *
     * @param n     number of indices; nothing happens when {@code n <= 0}
     * @param grain smallest chunk worth sharing; values below 1 count as 1
     * @param body  the loop body, called once per chunk
     * @throws NullPointerException if {@code body} is null
     * @throws RuntimeException     the first exception a chunk threw (the other chunks still ran
     *                              or were skipped), rethrown once every chunk has ended; an
     *                              {@link Error} likewise
     */
    public static void parallelFor(int n, int grain, IntRangeConsumer body) {
        if (body == null) {
            throw new NullPointerException("parallelFor: body is null");
        }
        if (n <= 0) {
            return;
        }
        int threads = callerParallelism();
        run(n, Math.min(n / Math.max(1, grain), threads * CHUNKS_PER_THREAD), threads, body);
    }

    /**
     * Runs {@code body} over {@code [0, n)} as {@link #parallelFor(int, int, IntRangeConsumer)}
     * does, but hands out every index as a chunk of its own: for loops over a few coarse tasks of
     * similar cost (the row blocks of a large matrix product), where chunks of several tasks left
     * one thread idle while the other finished its last chunk (a 2048 x 2048 product on 2 threads
     * has 32 tasks of about 0.7 ms per k block; {@code parallelFor} made 8 chunks of 4). Measured
     * there, p50 of 40 products in 4 runs alternating: 46.7-48.6 ms against 47.4-50.2 ms; at
     * 1024, 6.25-6.54 against 6.34-7.26 ms.
     *
     * @param n    number of tasks; nothing happens when {@code n <= 0}
     * @param body the loop body, called with ranges of one task or, run inline, of all
     * @throws NullPointerException if {@code body} is null
     * @throws RuntimeException     as {@link #parallelFor(int, int, IntRangeConsumer)}
     */
    public static void parallelTasks(int n, IntRangeConsumer body) {
        if (body == null) {
            throw new NullPointerException("parallelTasks: body is null");
        }
        if (n <= 0) {
            return;
        }
        run(n, n, callerParallelism(), body);
    }

    /** {@code body} over {@code [0, n)} in {@code chunks} chunks, on the team when it is free. */
    private static void run(int n, int chunks, int threads, IntRangeConsumer body) {
        if (threads == 1 || chunks < 2 || !acquireTeam()) {
            body.accept(0, n);
            return;
        }
        Loop loop = new Loop(body, n, chunks, threads - 1);
        try {
            CURRENT.set(loop);
            GENERATION.incrementAndGet();
            for (Worker w : WORKERS) {
                if (w.parked) {
                    LockSupport.unpark(w);
                }
            }
            loop.work();
            loop.awaitChunks();
        } finally {
            CURRENT.set(null);
            owner = null;
            BUSY.set(false);
        }
        loop.rethrow();
    }

    /** Takes the team for the calling thread; false when it is nested or another thread holds it. */
    private static boolean acquireTeam() {
        Thread me = Thread.currentThread();
        if (me instanceof Worker || owner == me || !BUSY.compareAndSet(false, true)) {
            return false;
        }
        owner = me;
        return true;
    }

    /** The worker threads, for tests. */
    static Thread[] workers() {
        return WORKERS.clone();
    }

    /** One parallel loop: its chunks are claimed with an atomic counter by whoever is free. */
    private static final class Loop {
        private final IntRangeConsumer body;
        private final int n;
        private final int chunks;
        /** How many workers may still join the caller on this loop. */
        private final AtomicInteger seats;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger finished = new AtomicInteger();
        private final AtomicReference<Throwable> error = new AtomicReference<>();

        Loop(IntRangeConsumer body, int n, int chunks, int helpers) {
            this.body = body;
            this.n = n;
            this.chunks = chunks;
            this.seats = new AtomicInteger(helpers);
        }

        /** Takes a worker's seat on this loop; false when the caller's limit is reached. */
        boolean join() {
            return seats.getAndDecrement() > 0;
        }

        /** Claims and runs chunks until none is left. */
        void work() {
            for (int c = next.getAndIncrement(); c < chunks; c = next.getAndIncrement()) {
                try {
                    if (error.get() == null) {
                        // Chunk boundaries from long arithmetic: n * chunk may exceed int.
                        int start = (int) ((long) n * c / chunks);
                        int end = (int) ((long) n * (c + 1) / chunks);
                        if (end > start) {
                            body.accept(start, end);
                        }
                    }
                } catch (Throwable t) {
                    error.compareAndSet(null, t);
                } finally {
                    finished.incrementAndGet();
                }
            }
        }

        /** Waits for the chunks other threads claimed; at most one chunk's time once all are claimed. */
        void awaitChunks() {
            long spins = 0;
            while (finished.get() < chunks) {
                if (++spins < 100_000) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield(); // a worker lost its core to another process: let it have ours
                }
            }
        }

        void rethrow() {
            Throwable t = error.get();
            if (t instanceof RuntimeException r) {
                throw r;
            }
            if (t instanceof Error e) {
                throw e;
            }
            if (t != null) {
                throw new IllegalStateException("parallelFor: a chunk failed", t);
            }
        }
    }

    /** A team member: runs the current loop's chunks, polls a while for the next loop, then parks. */
    private static final class Worker extends Thread {
        volatile boolean parked;

        Worker(int index) {
            super("tessera-cpu-" + index);
            setDaemon(true);
        }

        @Override
        public void run() {
            int seen = GENERATION.get();
            while (true) {
                int generation = GENERATION.get();
                if (generation != seen) {
                    seen = generation;
                    Loop loop = CURRENT.get();
                    if (loop != null && loop.join()) {
                        loop.work();
                    }
                    continue;
                }
                idle(seen);
            }
        }

        /** Polls for a new loop for SPIN_NANOS, then parks until a caller unparks it. */
        private void idle(int seen) {
            long deadline = System.nanoTime() + SPIN_NANOS;
            while (System.nanoTime() < deadline) {
                if (GENERATION.get() != seen) {
                    return;
                }
                Thread.onSpinWait();
            }
            // Publish `parked` before re-checking: a caller that bumps GENERATION after this check
            // sees parked == true and unparks (volatile writes and reads are totally ordered).
            parked = true;
            if (GENERATION.get() == seen) {
                LockSupport.park(this);
            }
            parked = false;
        }
    }

    private static Worker[] startWorkers() {
        Worker[] workers = new Worker[PARALLELISM - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i + 1);
            workers[i].start();
        }
        return workers;
    }

    /** An integer system property of at least {@code min}; a bad value is logged and replaced by the default. */
    private static int positiveProperty(String name, int fallback, int min) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            int v = Integer.parseInt(value.trim());
            if (v >= min) {
                return v;
            }
        } catch (NumberFormatException e) {
            // fall through to the warning below
        }
        LOG.warn("Ignoring -D{}={}: expected an integer >= {}; using {}", name, value, min, fallback);
        return fallback;
    }
}
