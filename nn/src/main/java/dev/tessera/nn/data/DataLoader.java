package dev.tessera.nn.data;

import dev.tessera.Generator;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Cuts a {@link Dataset} into batches, one epoch per iteration.
 *
 * <p>With shuffling, the order of epoch {@code e} is a permutation drawn from a generator seeded
 * with {@code (seed, e)}: it does not depend on how many epochs ran before in this JVM, so a run
 * resumed from a checkpoint at epoch {@code e} sees exactly the batches an uninterrupted run would.
 * Each call to {@link #iterator()} runs the next epoch; {@link #setEpoch(int)} chooses it.
 *
 * <p>With {@code prefetch}, the next batch is gathered on a background thread while the caller
 * trains on the current one.
 */
public final class DataLoader implements Iterable<Batch> {
    /** Background threads for prefetching; daemons, so they never keep the JVM alive. */
    private static final ExecutorService EXECUTOR = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "tessera-prefetch");
        t.setDaemon(true);
        return t;
    });

    private final Dataset dataset;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final boolean dropLast;
    private final boolean prefetch;
    private int epoch;

    /**
     * Creates a loader.
     *
     * @param dataset   the examples
     * @param batchSize examples per batch, at least 1
     * @param shuffle   whether each epoch visits the examples in a new random order
     * @param seed      the seed of the shuffling
     * @param dropLast  whether to skip a last batch smaller than {@code batchSize}
     * @param prefetch  whether to prepare the next batch on a background thread
     * @throws NullPointerException     if {@code dataset} is null
     * @throws IllegalArgumentException if {@code batchSize < 1}
     */
    public DataLoader(Dataset dataset, int batchSize, boolean shuffle, long seed, boolean dropLast, boolean prefetch) {
        Objects.requireNonNull(dataset, "DataLoader: dataset must not be null");
        if (batchSize < 1) {
            throw new IllegalArgumentException("DataLoader: batchSize must be >= 1, got " + batchSize);
        }
        this.dataset = dataset;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.seed = seed;
        this.dropLast = dropLast;
        this.prefetch = prefetch;
    }

    /** Creates a loader that keeps the last partial batch and does not prefetch. */
    public DataLoader(Dataset dataset, int batchSize, boolean shuffle, long seed) {
        this(dataset, batchSize, shuffle, seed, false, false);
    }

    /** Returns the dataset. */
    public Dataset dataset() {
        return dataset;
    }

    /** Returns the batch size. */
    public int batchSize() {
        return batchSize;
    }

    /** Returns the number of batches per epoch. */
    public int numBatches() {
        int n = dataset.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** Returns the epoch the next {@link #iterator()} will run. */
    public int epoch() {
        return epoch;
    }

    /** Sets the epoch the next {@link #iterator()} will run (its shuffle order); modifies this loader. */
    public void setEpoch(int epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("DataLoader.setEpoch: epoch must be >= 0, got " + epoch);
        }
        this.epoch = epoch;
    }

    /** Returns the order in which epoch {@code e} visits the examples. */
    public int[] order(int e) {
        int n = dataset.size();
        if (shuffle) {
            // Mix seed and epoch so neighbouring epochs (and seeds) give unrelated permutations.
            return new Generator(seed * 0x9E3779B97F4A7C15L + e * 0xBF58476D1CE4E5B9L + 1).permutation(n);
        }
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        return order;
    }

    /** Starts the next epoch and returns an iterator over its batches; advances {@link #epoch()}. */
    @Override
    public Iterator<Batch> iterator() {
        return iterator(epoch++, 0);
    }

    /**
     * Returns an iterator over the batches of epoch {@code e} starting at batch {@code fromBatch}
     * (earlier batches are skipped without being gathered); for resuming a run. Does not change
     * {@link #epoch()}.
     */
    public Iterator<Batch> iterator(int e, int fromBatch) {
        if (fromBatch < 0) {
            throw new IllegalArgumentException("DataLoader.iterator: fromBatch must be >= 0, got " + fromBatch);
        }
        int[] order = order(e);
        return prefetch ? new Prefetching(order, fromBatch) : new Plain(order, fromBatch);
    }

    private Batch batch(int[] order, int b) {
        int start = b * batchSize;
        int end = Math.min(order.length, start + batchSize);
        return dataset.get(java.util.Arrays.copyOfRange(order, start, end));
    }

    private final class Plain implements Iterator<Batch> {
        private final int[] order;
        private final int count = numBatches();
        private int next;

        Plain(int[] order, int fromBatch) {
            this.order = order;
            this.next = fromBatch;
        }

        @Override
        public boolean hasNext() {
            return next < count;
        }

        @Override
        public Batch next() {
            if (!hasNext()) {
                throw new NoSuchElementException("DataLoader: epoch has " + count + " batches");
            }
            return batch(order, next++);
        }
    }

    /** Gathers batch i+1 on a daemon thread while the caller works on batch i. */
    private final class Prefetching implements Iterator<Batch> {
        private final int[] order;
        private final int count = numBatches();
        private int next;
        private CompletableFuture<Batch> pending;

        Prefetching(int[] order, int fromBatch) {
            this.order = order;
            this.next = fromBatch;
            schedule();
        }

        private void schedule() {
            int b = next;
            pending = b < count ? CompletableFuture.supplyAsync(() -> batch(order, b), EXECUTOR) : null;
        }

        @Override
        public boolean hasNext() {
            return next < count;
        }

        @Override
        public Batch next() {
            if (!hasNext()) {
                throw new NoSuchElementException("DataLoader: epoch has " + count + " batches");
            }
            try {
                Batch b = pending.get();
                next++;
                schedule();
                return b;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("DataLoader: interrupted while waiting for a batch", e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException re) {
                    throw re;
                }
                throw new IllegalStateException("DataLoader: loading a batch failed: " + cause, cause);
            }
        }
    }
}
