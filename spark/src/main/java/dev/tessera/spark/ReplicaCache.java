package dev.tessera.spark;

import dev.tessera.nn.Module;
import dev.tessera.nn.optim.Optimizer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The data-parallel replicas an executor keeps between rounds, by fit and partition, so that a
 * round's task reuses the model and optimizer its partition's previous task built instead of
 * building them again; only the averaged state travels (see {@link ReplicaJob}).
 *
 * <p>A task takes its replica out ({@link #take}) and puts it back when it has finished ({@link
 * #put}), so two attempts of one task never share a replica (a killed attempt that is still
 * running keeps its own; the new attempt builds another), and a task that fails drops its replica.
 * An executor keeps the replicas of one fit only: the first task of another fit drops the others
 * (one fit runs at a time per application). The driver {@link #release releases} a fit's replicas
 * when it ends or fails, which frees them at once in local mode, where the driver is the executor;
 * a cluster's executors drop them at the next fit or when they exit. Thread-safe.
 */
final class ReplicaCache {
    /** The fit whose replicas are kept, or null. */
    private static String fit;
    private static final Map<Integer, Replica> REPLICAS = new HashMap<>();
    private static final AtomicLong BUILDS = new AtomicLong();

    private ReplicaCache() {
    }

    /**
     * One partition's replica: its model, the optimizer over its parameters and the indices of the
     * partition's examples.
     *
     * @param model     the model (its parameters are overwritten with the broadcast state every round)
     * @param optimizer the optimizer over the model's parameters
     * @param shard     the indices of the partition's examples
     */
    record Replica(Module model, Optimizer optimizer, int[] shard) {
    }

    /**
     * Removes and returns the replica of partition {@code p} of fit {@code fitId}, or null if this
     * executor has none; drops the replicas of any other fit.
     */
    static synchronized Replica take(String fitId, int p) {
        if (!fitId.equals(fit)) {
            REPLICAS.clear();
            fit = fitId;
        }
        return REPLICAS.remove(p);
    }

    /** Keeps {@code replica} as partition {@code p}'s of fit {@code fitId} (replacing any), unless another fit has started here. */
    static synchronized void put(String fitId, int p, Replica replica) {
        if (fitId.equals(fit)) {
            REPLICAS.put(p, replica);
        }
    }

    /** Drops the replicas of fit {@code fitId}, if this JVM keeps them. */
    static synchronized void release(String fitId) {
        if (fitId.equals(fit)) {
            REPLICAS.clear();
            fit = null;
        }
    }

    /** Drops every replica, as if this executor had been replaced by a fresh one (for tests). */
    static synchronized void clear() {
        REPLICAS.clear();
        fit = null;
    }

    /** Returns how many replicas this JVM keeps. */
    static synchronized int size() {
        return REPLICAS.size();
    }

    /** Counts a replica built (from the model and optimizer factories) in this JVM. */
    static void countBuild() {
        BUILDS.incrementAndGet();
    }

    /** Returns how many replicas this JVM has built since it started (for tests and logs). */
    static long builds() {
        return BUILDS.get();
    }
}
