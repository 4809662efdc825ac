package dev.tessera.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a main class in a fresh JVM with this test's class path, for tests that need a JVM started
 * with other flags. The child's output (stdout and stderr together) goes to a temporary file, not a
 * pipe, so a child that hangs or writes a lot can never block the test: the test waits at most
 * {@code timeout}, then kills the child and reports what it printed.
 */
public final class ChildJvm {
    private ChildJvm() {
    }

    /**
     * What a child JVM did.
     *
     * @param finished whether it exited within the timeout (if not, it was killed)
     * @param exitCode its exit status (meaningless when it did not finish)
     * @param output   everything it wrote to stdout and stderr
     */
    public record Result(boolean finished, int exitCode, String output) {
        /** Fails the calling test, with the child's output, unless the child finished with status 0; returns this result. */
        public Result assertSucceeded() {
            if (!finished) {
                fail("the child JVM did not finish in time and was killed; its output:\n" + output);
            }
            assertEquals(0, exitCode, "the child JVM failed; its output:\n" + output);
            return this;
        }
    }

    /**
     * Runs {@code mainClass} in a JVM limited to AVX2 ({@code -XX:UseAVX=2}, so 8 float lanes) with
     * the Vector API module, and fails the calling test unless it succeeded, printed
     * {@code lanes=8} and ended with {@code result=OK}.
     */
    public static void assertPassesWithAvx2(Class<?> mainClass) throws IOException, InterruptedException {
        String output = run(Duration.ofSeconds(120), mainClass.getName(),
                "-XX:UseAVX=2", "--add-modules", "jdk.incubator.vector").assertSucceeded().output();
        assertTrue(output.contains("lanes=8"), output);
        assertTrue(output.contains("result=OK"), output);
    }

    /**
     * Starts {@code java [jvmArgs] -cp <this class path> mainClass}, waits up to {@code timeout} for
     * it, kills it (and waits for it to die) if it is still running, and returns what it did.
     */
    public static Result run(Duration timeout, String mainClass, String... jvmArgs) throws IOException, InterruptedException {
        return run(timeout, Map.of(), mainClass, jvmArgs);
    }

    /** As {@link #run(Duration, String, String...)}, with {@code env} added to the child's environment. */
    public static Result run(Duration timeout, Map<String, String> env, String mainClass, String... jvmArgs)
            throws IOException, InterruptedException {
        return run(timeout, env, List.of(jvmArgs), mainClass, List.of());
    }

    /**
     * Starts {@code java [jvmArgs] -cp <this class path> mainClass [programArgs]} with {@code env}
     * added to the child's environment, waits up to {@code timeout} for it, kills it if it is still
     * running, and returns what it did.
     */
    public static Result run(Duration timeout, Map<String, String> env, List<String> jvmArgs, String mainClass,
                             List<String> programArgs) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(programArgs);
        Path log = Files.createTempFile("tessera-child-jvm", ".log");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().putAll(env);
            Process p = builder.start();
            boolean finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                p.destroyForcibly();
                p.waitFor();
            }
            return new Result(finished, p.exitValue(), Files.readString(log));
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
