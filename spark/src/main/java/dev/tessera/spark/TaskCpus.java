package dev.tessera.spark;

import org.apache.spark.TaskContext;

/**
 * How many threads a Spark task's kernels may use: the CPUs Spark gave the task ({@code
 * spark.task.cpus}, 1 unless configured). An executor with {@code c} cores runs {@code c / cpus}
 * tasks at once; a task whose kernels used every core would compete with the others for the CPU
 * backend's shared threads (one task takes them, the others' loops wait or run alone while a worker
 * spins on their core), so each task's training runs inside {@code KernelThreads.limit(cpus)}.
 */
final class TaskCpus {
    private TaskCpus() {
    }

    /** Returns the current task's CPUs, or 1 outside a Spark task. */
    static int current() {
        TaskContext tc = TaskContext.get();
        return tc == null ? 1 : Math.max(1, tc.cpus());
    }
}
