package dev.tessera.spark;

import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.util.function.Supplier;
import org.apache.spark.SparkException;

/**
 * Turns the failure of a Spark job back into the exception that a task threw, so that a user sees
 * the original message (say, a model factory's {@link IllegalArgumentException}) rather than
 * Spark's "Job aborted due to stage failure" and its executor stack traces; and checks on the
 * driver that what a job ships to executors serializes, naming what does not.
 */
final class SparkFailures {
    private SparkFailures() {
    }

    /**
     * Runs {@code job} (a Spark action) and returns its result; if it fails, throws the exception
     * the failing task threw: unchanged for unchecked exceptions, wrapped in an {@link
     * IllegalStateException} with the same message otherwise.
     */
    static <T> T run(String what, Supplier<T> job) {
        try {
            return job.get();
        } catch (Exception e) { // Scala code throws the checked SparkException undeclared
            throw unwrap(what, e);
        }
    }

    /** Returns the task's original exception inside {@code e}, or {@code e} itself when it holds none. */
    static RuntimeException unwrap(String what, Throwable e) {
        Throwable t = e;
        while (t instanceof SparkException && t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        if (t instanceof SparkException) {
            String message = String.valueOf(t.getMessage());
            int cut = message.indexOf('\n');
            return new IllegalStateException(what + " failed: " + (cut < 0 ? message : message.substring(0, cut)), e);
        }
        if (t instanceof NotSerializableException) {
            return new IllegalArgumentException(what + ": a value shipped to the executors cannot be serialized: "
                    + t.getMessage() + " (lambdas must capture only serializable values)", t);
        }
        if (t instanceof RuntimeException re) {
            return re;
        }
        if (t instanceof Error err) {
            throw err;
        }
        return new IllegalStateException(t.getMessage(), t);
    }

    /**
     * Checks that {@code value} serializes with Java serialization, as Spark ships it to executors.
     *
     * @throws IllegalArgumentException naming {@code what} and the class that does not serialize
     */
    static void checkSerializable(String what, Object value) {
        try (ObjectOutputStream out = new ObjectOutputStream(OutputStream.nullOutputStream())) {
            out.writeObject(value);
        } catch (NotSerializableException e) {
            throw new IllegalArgumentException("SparkExecutor: " + what + " cannot be shipped to the executors: "
                    + e.getMessage() + " is not serializable (a lambda must capture only serializable values;"
                    + " a class implementing the interface must be serializable)", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("SparkExecutor: " + what + " cannot be serialized: " + e, e);
        }
    }
}
