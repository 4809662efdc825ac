package dev.tessera.opencl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a main class in a fresh JVM with this test's class path and extra environment variables
 * (as backend-cpu's test helper of the same name, plus the environment). Output goes to a
 * temporary file, so a hanging child cannot block the test; it is killed after the timeout.
 */
final class ChildJvm {
    private ChildJvm() {
    }

    /** What the child did: whether it finished in time, its exit status and its output. */
    record Result(boolean finished, int exitCode, String output) {
    }

    /** Starts {@code java [jvmArgs] -cp <class path> mainClass} with {@code env} added, waits up to {@code timeout}. */
    static Result run(Duration timeout, Map<String, String> env, String mainClass, String... jvmArgs)
            throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(List.of(jvmArgs));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        Path log = Files.createTempFile("tessera-child-jvm", ".log");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
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
